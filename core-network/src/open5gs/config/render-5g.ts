import { defaultGateway, sliceKey } from '../../network-spec/network-spec.checks.js';
import type { DnnSpec, UpfSpec } from '../../network-spec/network-spec.schema.js';
import { upfsOf, type UserPlaneNode } from '../../network-spec/user-plane.js';
import { MAX_DNNS_PER_SMF_INFO_SLICE, MAX_SLICES_PER_SMF_INFO } from './open5gs-limits.js';
import {
  plmnId,
  preamble,
  sbiClient,
  sbiServer,
  sbiTlsDefaults,
  sbiUri,
  sbiViaScp,
  servers,
  sNssai,
  taiLists,
  userPlanePeer,
  type RenderContext,
  type YamlMap,
} from './render-common.js';
import { dynamicRanges } from './ue-pool.js';

/** The 5G SA core: one function per NF, each returning the YAML document as a plain object (key order = file order). */

export function amfConfig(ctx: RenderContext): YamlMap {
  const { spec } = ctx;
  const amf = spec.nf.amf;
  return {
    ...preamble('amf', ctx),
    amf: {
      ...sbiTlsDefaults(ctx, 'amf'),
      sbi: sbiViaScp('amf', ctx),
      ngap: servers(amf.ngap, 'ngap'),
      metrics: servers(amf.metrics, 'metrics'),
      guami: [{ plmn_id: plmnId(spec), amf_id: { region: amf.regionId, set: amf.setId } }],
      tai: taiLists(spec, spec.tacs),
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
      // SMF only (it allocates UE addresses, for 5G and as PGW-C for 4G): leave the static block out.
      if (!withDevice && pool.staticRange !== undefined)
        entry.range = dynamicRanges(pool.subnet, pool.staticRange);
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
      ...sbiTlsDefaults(ctx, 'smf'),
      sbi: sbiViaScp('smf', ctx),
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
      info: smfInfos(ctx),
    },
  };
}

/**
 * SmfInfo registered with the NRF: which DNNs this SMF serves in which slice (slices without DNNs are left
 * out). The SMF asserts on more than 7 S-NSSAIs per info entry or 15 DNNs per S-NSSAI (open5gs-limits.ts), so
 * a slice's DNNs go in groups of 15 and the groups in info entries of 7, a slice at most once per entry. The
 * NRF lists every entry (smfInfoList) and SMF selection matches any one of them (lib/sbi/context.c
 * ogs_sbi_discovery_option_is_matched(), "OR logic across smfInfo blocks").
 */
export function smfInfos({ spec }: RenderContext): YamlMap[] {
  const groups = spec.slices.flatMap((slice) => {
    const dnns = spec.dnns
      .filter((d) => d.slices.some((s) => sliceKey(s) === sliceKey(slice)))
      .map((d) => d.name);
    const out: { key: string; item: YamlMap }[] = [];
    for (let i = 0; i < dnns.length; i += MAX_DNNS_PER_SMF_INFO_SLICE)
      out.push({
        key: sliceKey(slice),
        item: { ...sNssai(slice), dnn: dnns.slice(i, i + MAX_DNNS_PER_SMF_INFO_SLICE) },
      });
    return out;
  });
  const entries: { keys: Set<string>; items: YamlMap[] }[] = [];
  for (const g of groups) {
    let entry = entries.find((e) => e.items.length < MAX_SLICES_PER_SMF_INFO && !e.keys.has(g.key));
    if (!entry) entries.push((entry = { keys: new Set(), items: [] }));
    entry.keys.add(g.key);
    entry.items.push(g.item);
  }
  return entries.map((e) => ({ s_nssai: e.items }));
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
    nrf: {
      ...sbiTlsDefaults(ctx, 'nrf'),
      serving: [{ plmn_id: plmnId(ctx.spec) }],
      sbi: sbiServer(ctx, 'nrf'),
    },
  };
}

export function scpConfig(ctx: RenderContext): YamlMap {
  const sbi = { ...sbiServer(ctx, 'scp'), client: { nrf: [sbiClient(ctx, 'nrf')] } };
  return { ...preamble('scp', ctx), scp: { ...sbiTlsDefaults(ctx, 'scp'), sbi } };
}

export function ausfConfig(ctx: RenderContext): YamlMap {
  return { ...preamble('ausf', ctx), ausf: { ...sbiTlsDefaults(ctx, 'ausf'), sbi: sbiViaScp('ausf', ctx) } };
}

export function udmConfig(ctx: RenderContext): YamlMap {
  const { hnet } = ctx.spec.nf.udm;
  const keys = hnet.map((k) => ({ id: k.id, scheme: k.scheme, key: k.keyFile }));
  return {
    ...preamble('udm', ctx),
    udm: {
      ...sbiTlsDefaults(ctx, 'udm'),
      ...(keys.length > 0 ? { hnet: keys } : {}),
      sbi: sbiViaScp('udm', ctx),
    },
  };
}

export function udrConfig(ctx: RenderContext): YamlMap {
  return {
    ...preamble('udr', ctx, true),
    udr: { ...sbiTlsDefaults(ctx, 'udr'), sbi: sbiViaScp('udr', ctx) },
  };
}

export function pcfConfig(ctx: RenderContext): YamlMap {
  const pcf = ctx.spec.nf.pcf;
  return {
    ...preamble('pcf', ctx, true),
    pcf: {
      ...sbiTlsDefaults(ctx, 'pcf'),
      sbi: sbiViaScp('pcf', ctx),
      metrics: servers(pcf.metrics, 'metrics'),
    },
  };
}

/** The NSSF answers only for S-NSSAIs it has an NSI for: one per declared slice, all served by our NRF. */
export function nssfConfig(ctx: RenderContext): YamlMap {
  const { spec } = ctx;
  const nsi = spec.slices.map((s) => ({ uri: sbiUri(ctx, 'nrf'), s_nssai: sNssai(s) }));
  const sbi = sbiViaScp('nssf', ctx);
  return {
    ...preamble('nssf', ctx),
    nssf: { ...sbiTlsDefaults(ctx, 'nssf'), sbi: { ...sbi, client: { ...(sbi.client as YamlMap), nsi } } },
  };
}

export function bsfConfig(ctx: RenderContext): YamlMap {
  return { ...preamble('bsf', ctx), bsf: { ...sbiTlsDefaults(ctx, 'bsf'), sbi: sbiViaScp('bsf', ctx) } };
}
