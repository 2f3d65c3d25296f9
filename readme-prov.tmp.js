const { counters } = require('perfcompat/counters');
const c = counters({ events: ['cycles', 'instructions', 'task-clock', 'page-faults'] }).init();
for (let round = 0; round < 100; round++) {
  c.before();
  let s = 0; for (let i = 0; i < 100_000; i++) s += Math.sqrt(i);
  c.after(100_000);
}
const v = c.values();
c.close();
console.log(JSON.stringify({ events: Object.fromEntries(Object.entries(v.events).map(([k, e]) => [k, { mean: Math.round(e.raw.mean), perIteration: +e.perIteration.mean.toFixed(3) }])), missing: Object.fromEntries(Object.entries(v.missing).map(([k, m]) => [k, m.reason])), cpusUtilized: +v.derived.cpusUtilized.value.toFixed(3) }, null, 2));
