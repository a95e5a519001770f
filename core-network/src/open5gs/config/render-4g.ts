import type { SgwuSpec } from '../../network-spec/network-spec.schema.js';
import { sgwusOf, type UserPlaneNode } from '../../network-spec/user-plane.js';
import { networkName } from './render-5g.js';
import {
  peerEntry,
  plmnId,
  preamble,
  servers,
  taiLists,
  userPlanePeer,
  type RenderContext,
  type YamlMap,
} from './render-common.js';

/** The 4G EPC: MME, SGW-C/U, HSS, PCRF (the SMF and UPF double as PGW-C/U). */

/** LTE carries 16-bit TACs; larger ones are 5G-only (checks.ts warns and requires at least one that fits). */
const MAX_LTE_TAC = 65_535;

export function mmeConfig(ctx: RenderContext): YamlMap {
  const { spec } = ctx;
  const mme = spec.nf.mme;
  return {
    ...preamble('mme', ctx),
    mme: {
      freeDiameter: `${ctx.options.freeDiameterDir}/mme.conf`,
      s1ap: servers(mme.s1ap, 's1ap'),
      gtpc: {
        ...servers(mme.gtpc, 'gtpc'),
        client: { sgwc: [peerEntry(spec.nf.sgwc.gtpc, 'gtpc')], smf: [peerEntry(spec.nf.smf.gtpc, 'gtpc')] },
      },
      metrics: servers(mme.metrics, 'metrics'),
      gummei: [{ plmn_id: plmnId(spec), mme_gid: mme.groupId, mme_code: mme.code }],
      tai: taiLists(
        spec,
        spec.tacs.filter((tac) => tac <= MAX_LTE_TAC),
      ),
      security: {
        integrity_order: spec.security.lte.integrity,
        ciphering_order: spec.security.lte.ciphering,
      },
      network_name: networkName(ctx),
      mme_name: mme.name,
      time: { t3412: { value: mme.t3412Seconds } },
    },
  };
}

export function sgwcConfig(ctx: RenderContext): YamlMap {
  const { sgwc } = ctx.spec.nf;
  // `apn:` as sgwc.yaml's sample writes it; Open5GS reads `dnn:` alike.
  const sgwu = sgwusOf(ctx.spec).map(({ node }) => userPlanePeer(node, 'apn'));
  return {
    ...preamble('sgwc', ctx),
    sgwc: { gtpc: servers(sgwc.gtpc, 'gtpc'), pfcp: { ...servers(sgwc.pfcp, 'pfcp'), client: { sgwu } } },
  };
}

/** One SGW-U's file. An SGW-U relays GTP-U whatever the APN, so it has no per-DNN settings. */
export function sgwuConfig(ctx: RenderContext, { node: sgwu, file }: UserPlaneNode<SgwuSpec>): YamlMap {
  return {
    ...preamble(file, ctx),
    sgwu: { pfcp: servers(sgwu.pfcp, 'pfcp'), gtpu: servers(sgwu.gtpu, 'gtpu') },
  };
}

export function hssConfig(ctx: RenderContext): YamlMap {
  return {
    ...preamble('hss', ctx, true),
    hss: {
      freeDiameter: `${ctx.options.freeDiameterDir}/hss.conf`,
      metrics: servers(ctx.spec.nf.hss.metrics, 'metrics'),
    },
  };
}

export function pcrfConfig(ctx: RenderContext): YamlMap {
  return {
    ...preamble('pcrf', ctx, true),
    pcrf: {
      freeDiameter: `${ctx.options.freeDiameterDir}/pcrf.conf`,
      metrics: servers(ctx.spec.nf.pcrf.metrics, 'metrics'),
    },
  };
}
