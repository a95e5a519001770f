import { defaultGateway, sliceKey } from '../../network-spec/network-spec.checks.js';
import type { DnnSpec, UpfSpec } from '../../network-spec/network-spec.schema.js';
import { upfsOf, type UserPlaneNode } from '../../network-spec/user-plane.js';
import {
  httpUri,
  plmnId,
  preamble,
  sbiViaScp,
  servers,
  sNssai,
  taiEntries,
  userPlanePeer,
  type RenderContext,
  type YamlMap,
} from './render-common.js';

/** The 5G SA core: one function per NF, each returning the YAML document as a plain object (key order = file order). */

export function amfConfig(ctx: RenderContext): YamlMap {
  const { spec } = ctx;
  const amf = spec.nf.amf;
  return {
    ...preamble('amf', ctx),
    amf: {
      sbi: sbiViaScp(amf.sbi, ctx),
      ngap: servers(amf.ngap, 'ngap'),
      metrics: servers(amf.metrics, 'metrics'),
      guami: [{ plmn_id: plmnId(spec), amf_id: { region: amf.regionId, set: amf.setId } }],
      tai: taiEntries(spec, spec.tacs),
      plmn_support: [{ plmn_id: plmnId(spec), s_nssai: spec.slices.map(sNssai) }],
      security: {
        integrity_order: spec.security.nr.integrity,
        ciphering_order: spec.security.nr.ciphering,
      },
      network_name: networkName(ctx),
      amf_name: amf.name,
      time: { t3512: { value: amf.t3512Seconds } },
    },
  };
}

export function networkName({ spec }: RenderContext): YamlMap {
  const { full, short } = spec.networkName;
  return short === undefined ? { full } : { full, short };
}

/** `session` entries shared by SMF (allocates UE addresses) and UPF (routes them); `dev` is UPF-only. */
export function sessions(dnns: readonly DnnSpec[], withDevice: boolean): YamlMap[] {
  return dnns.flatMap((dnn) =>
    [dnn.ipv4, dnn.ipv6].flatMap((pool) => {
      if (!pool) return [];
      const entry: YamlMap = {
        subnet: pool.subnet,
        gateway: pool.gateway ?? defaultGateway(pool.subnet),
        dnn: dnn.name,
      };
      if (withDevice && dnn.device !== undefined) entry.dev = dnn.device;
      return [entry];
    }),
  );
}

export function smfConfig(ctx: RenderContext): YamlMap {
  const { spec } = ctx;
  const smf = spec.nf.smf;
  // checks.ts guarantees every DNN shares the same DNS list and MTU.
  const first = spec.dnns[0];
  return {
    ...preamble('smf', ctx),
    smf: {
      sbi: sbiViaScp(smf.sbi, ctx),
      pfcp: {
        ...servers(smf.pfcp, 'pfcp'),
        client: { upf: upfsOf(spec).map(({ node }) => userPlanePeer(node, 'dnn')) },
      },
      gtpc: servers(smf.gtpc, 'gtpc'),
      gtpu: servers(smf.gtpu, 'gtpu'),
      metrics: servers(smf.metrics, 'metrics'),
      session: sessions(spec.dnns, false),
      dns: first?.dns ?? [],
      mtu: first?.mtu ?? 1400,
      freeDiameter: `${ctx.options.freeDiameterDir}/smf.conf`,
      info: [{ s_nssai: smfInfoSlices(ctx) }],
    },
  };
}

/** SmfInfo registered with the NRF: which DNNs this SMF serves in which slice (slices without DNNs are left out). */
function smfInfoSlices({ spec }: RenderContext): YamlMap[] {
  return spec.slices.flatMap((slice) => {
    const dnns = spec.dnns
      .filter((d) => d.slices.some((s) => sliceKey(s) === sliceKey(slice)))
      .map((d) => d.name);
    return dnns.length === 0 ? [] : [{ ...sNssai(slice), dnn: dnns }];
  });
}

/** One UPF's file: its own endpoints, and the UE pools of the DNNs it serves only. */
export function upfConfig(ctx: RenderContext, { node: upf, file, dnns }: UserPlaneNode<UpfSpec>): YamlMap {
  return {
    ...preamble(file, ctx),
    upf: {
      pfcp: servers(upf.pfcp, 'pfcp'),
      gtpu: servers(upf.gtpu, 'gtpu'),
      session: sessions(dnns, true),
      metrics: servers(upf.metrics, 'metrics'),
    },
  };
}

export function nrfConfig(ctx: RenderContext): YamlMap {
  return {
    ...preamble('nrf', ctx),
    nrf: { serving: [{ plmn_id: plmnId(ctx.spec) }], sbi: servers(ctx.spec.nf.nrf.sbi, 'sbi') },
  };
}

export function scpConfig(ctx: RenderContext): YamlMap {
  const sbi = {
    ...servers(ctx.spec.nf.scp.sbi, 'sbi'),
    client: { nrf: [{ uri: httpUri(ctx.spec.nf.nrf.sbi) }] },
  };
  return { ...preamble('scp', ctx), scp: { sbi } };
}

export function ausfConfig(ctx: RenderContext): YamlMap {
  return { ...preamble('ausf', ctx), ausf: { sbi: sbiViaScp(ctx.spec.nf.ausf.sbi, ctx) } };
}

export function udmConfig(ctx: RenderContext): YamlMap {
  const { hnet, sbi } = ctx.spec.nf.udm;
  const keys = hnet.map((k) => ({ id: k.id, scheme: k.scheme, key: k.keyFile }));
  return {
    ...preamble('udm', ctx),
    udm: { ...(keys.length > 0 ? { hnet: keys } : {}), sbi: sbiViaScp(sbi, ctx) },
  };
}

export function udrConfig(ctx: RenderContext): YamlMap {
  return { ...preamble('udr', ctx, true), udr: { sbi: sbiViaScp(ctx.spec.nf.udr.sbi, ctx) } };
}

export function pcfConfig(ctx: RenderContext): YamlMap {
  const pcf = ctx.spec.nf.pcf;
  return {
    ...preamble('pcf', ctx, true),
    pcf: { sbi: sbiViaScp(pcf.sbi, ctx), metrics: servers(pcf.metrics, 'metrics') },
  };
}

/** The NSSF answers only for S-NSSAIs it has an NSI for: one per declared slice, all served by our NRF. */
export function nssfConfig(ctx: RenderContext): YamlMap {
  const { spec } = ctx;
  const nsi = spec.slices.map((s) => ({ uri: httpUri(spec.nf.nrf.sbi), s_nssai: sNssai(s) }));
  const sbi = sbiViaScp(spec.nf.nssf.sbi, ctx);
  return { ...preamble('nssf', ctx), nssf: { sbi: { ...sbi, client: { ...(sbi.client as YamlMap), nsi } } } };
}

export function bsfConfig(ctx: RenderContext): YamlMap {
  return { ...preamble('bsf', ctx), bsf: { sbi: sbiViaScp(ctx.spec.nf.bsf.sbi, ctx) } };
}
