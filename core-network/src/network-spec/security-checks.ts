import { firstSeen, type CheckIssue, type Findings } from './check-support.js';
import type { NetworkSpec } from './network-spec.schema.js';

/**
 * The NAS/AS security algorithm orders. Algorithm 0 of each family is the null algorithm: NEA0 and NIA0
 * (TS 33.501 §5.11.1.1, §5.11.1.2) and EEA0 and EIA0 (TS 33.401 §5.1.3.2, §5.1.4.2). The first entry of
 * an order is the one the core picks whenever the UE supports it, so a null algorithm first switches
 * encryption or integrity protection off for every UE: that is a weak configuration and needs an explicit
 * override to apply (a lab that wants readable traces in Wireshark).
 */

const NAMES: Record<string, string> = {
  NEA0: 'null ciphering',
  NIA0: 'null integrity',
  EEA0: 'null ciphering',
  EIA0: 'null integrity',
};

type OrderPath =
  'security.nr.integrity' | 'security.nr.ciphering' | 'security.lte.integrity' | 'security.lte.ciphering';

function orders(security: NetworkSpec['security']): [OrderPath, readonly string[]][] {
  return [
    ['security.nr.integrity', security.nr.integrity],
    ['security.nr.ciphering', security.nr.ciphering],
    ['security.lte.integrity', security.lte.integrity],
    ['security.lte.ciphering', security.lte.ciphering],
  ];
}

const isNull = (algorithm: string) => algorithm.endsWith('0');

/**
 * Algorithms 1 and 2 of each family (128-NEA1/2, 128-NIA1/2, 128-EEA1/2, 128-EIA1/2) are the ones every UE
 * implements (TS 33.501 §5.11.1, TS 33.401 §5.1.3.2, §5.1.4.2); algorithm 3 (ZUC) is optional for UEs.
 */
const MANDATORY = /^[NE][EI]A[12]$/;

/**
 * One issue per order in which a null algorithm comes before every algorithm all UEs implement: first, or
 * behind only optional ones (e.g. NEA3, NEA0, NEA2 — a UE without ZUC gets NEA0). Empty when not weak.
 */
export function weakSecurity(security: NetworkSpec['security']): CheckIssue[] {
  return orders(security).flatMap(([path, list]) => {
    const nullIndex = list.findIndex(isNull);
    if (nullIndex === -1) return [];
    const mandatory = list.findIndex((a) => MANDATORY.test(a));
    if (mandatory !== -1 && mandatory < nullIndex) return [];
    const algorithm = list[nullIndex]!;
    const what = NAMES[algorithm] ?? 'a null algorithm';
    const without = what.replace('null ', '');
    if (nullIndex === 0) {
      const only = list.length === 1 ? ' and is the only one listed' : '';
      return [
        {
          path: `${path}[0]`,
          message: `${algorithm} (${what}) is preferred${only}: every UE that supports it runs without ${without} protection; put it last or remove it, or apply with the weak-security override`,
        },
      ];
    }
    const before = list.slice(0, nullIndex).join(', ');
    return [
      {
        path: `${path}[${nullIndex}]`,
        message: `${algorithm} (${what}) comes before any algorithm every UE implements (${algorithm.slice(0, 3)}1, ${algorithm.slice(0, 3)}2): a UE without ${before} runs without ${without} protection; list ${algorithm.slice(0, 3)}2 before it, or apply with the weak-security override`,
      },
    ];
  });
}

export function checkSecurity(spec: NetworkSpec, f: Findings): void {
  for (const [path, list] of orders(spec.security)) {
    firstSeen(list, String, (i, first) =>
      f.error(`${path}[${i}]`, `${list[i]} is listed twice (first at [${first}])`),
    );
    const nullIndex = list.findIndex(isNull);
    // A null algorithm first is reported by weakSecurity(); later in an integrity order it is still unusual.
    if (path.endsWith('integrity') && nullIndex > 0)
      f.warn(
        `${path}[${nullIndex}]`,
        `${list[nullIndex]} is null integrity: allowed only for unauthenticated emergency sessions (TS 33.501 §5.5.2)`,
      );
  }
}
