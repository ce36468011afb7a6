// `koa-2` is a test-only alias of koa@2 (package.json: "koa-2": "npm:koa@2.16.4"). Its
// runtime surface used here (constructor, use, callback, silent) is the one Koa 3's types describe.
declare module 'koa-2' {
  import Koa from 'koa';
  export default Koa;
}
