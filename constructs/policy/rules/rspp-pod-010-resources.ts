import { asRecord } from '../manifest-object';
import { PolicyRule, PolicyViolation, violation } from '../policy-rule';
import { runnableContainers } from '../workloads';

const REQUIRED: readonly (readonly ['requests' | 'limits', 'cpu' | 'memory'])[] = [
  ['requests', 'cpu'],
  ['requests', 'memory'],
  ['limits', 'memory'],
];

export const RSPP_POD_010: PolicyRule = {
  id: 'RSPP-POD-010',
  title: 'every container has CPU and memory requests and a memory limit',
  why: 'Without requests the scheduler overcommits nodes; without a memory limit one leak evicts its neighbours.',
  fix: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory',
  check(ctx) {
    const out: PolicyViolation[] = [];
    for (const w of ctx.workloads) {
      for (const c of runnableContainers(w)) {
        const resources = asRecord(c.container.resources);
        for (const [section, resource] of REQUIRED) {
          const value = asRecord(resources[section])[resource];
          if (value === undefined || value === null || value === '') {
            out.push(violation(w.object, [...c.path, 'resources', section, resource], `container "${c.name}" has no ${resource} ${section === 'requests' ? 'request' : 'limit'}`));
          }
        }
      }
    }
    return out;
  },
};
