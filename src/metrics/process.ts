// Process CPU and memory, and the V8 heap limit: observed only when metrics are collected, so nothing runs on
// the request path. Event loop, GC and per-space heap metrics come from the runtime-node instrumentation.
import { getHeapStatistics } from 'node:v8';
import type { Meter } from '@opentelemetry/api';

export function observeProcessMetrics(meter: Meter): void {
  const cpuTime = meter.createObservableCounter('process.cpu.time', {
    description: 'CPU time used by the process, by mode',
    unit: 's',
  });
  const memory = meter.createObservableGauge('process.memory.usage', {
    description: 'Resident set size of the process',
    unit: 'By',
  });
  const heapLimit = meter.createObservableGauge('v8js.memory.heap.limit', {
    description: 'The V8 heap size limit (all spaces): heap used over this is the heap fill ratio',
    unit: 'By',
  });
  meter.addBatchObservableCallback(
    (result) => {
      const cpu = process.cpuUsage();
      result.observe(cpuTime, cpu.user / 1e6, { 'cpu.mode': 'user' });
      result.observe(cpuTime, cpu.system / 1e6, { 'cpu.mode': 'system' });
      result.observe(memory, process.memoryUsage.rss());
      result.observe(heapLimit, getHeapStatistics().heap_size_limit);
    },
    [cpuTime, memory, heapLimit],
  );
}
