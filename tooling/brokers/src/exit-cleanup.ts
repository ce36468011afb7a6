// The last line of defence: a test run that crashes or forgets afterAll must not leave a
// broker running (holding a port and the CPU) or gigabytes of temp data behind. Everything
// registered here runs synchronously when this process exits, newest first, so processes
// are killed before their directories are removed.

const tasks = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const task of [...tasks].reverse()) {
    try {
      task();
    } catch {
      // Exiting: nobody is left to tell, and the other tasks must still run.
    }
  }
  tasks.clear();
}

/**
 * Runs `task` (synchronous) when this process exits, unless the returned function is called
 * first.
 *
 * @param task - What to do at exit: kill a PID, remove a directory.
 * @returns A function that unregisters the task.
 */
export function atExit(task: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', runAll);
  }
  tasks.add(task);
  return () => {
    tasks.delete(task);
  };
}
