/**
 * The Node flags a service runs with. Its image's CMD, `nx serve`, `npm start` and the tests all
 * start it with these (tools/packaging/dockerfiles.spec.ts checks the images and project.json).
 *
 * The MQTT gateway caps V8's young generation at 16 MiB a semi-space (Node 24 sizes it at 64 MiB
 * on this class of machine). Its objects mostly die young, but each young collection stops the
 * thread for as long as copying the survivors takes: at 64 MiB that was 10 to 15 ms twice a
 * second at the MQTT bench's half rate, and every message arriving meanwhile waited. At 16 MiB
 * the pauses are 2 to 6 ms, four times as often, and about as long in all. The DDS gateway,
 * which holds a whole take of up to a thousand samples at once, spent more time collecting with
 * it (22% of its main thread against 13%), so it and the others keep Node's default
 * (DEVELOPMENT.md, "The young generation's size").
 */
export function serviceNodeFlags(app: string): string[] {
  return app === 'mqtt-gateway' ? ['--enable-source-maps', '--max-semi-space-size=16'] : ['--enable-source-maps'];
}
