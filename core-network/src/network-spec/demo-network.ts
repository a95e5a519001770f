// The embedded demo spec as a string, because tsc does not copy demo-network.yaml into dist/.
// Keep it identical to demo-network.yaml (demo-network.spec.ts fails otherwise).
export const DEMO_NETWORK_YAML = `# Pakawaaz demo network on the 3GPP test PLMN 001/01 (ITU-T E.212 test network code).
# Operators load their own with \`pakawaaz network apply --spec network.yaml\`. Anything left out takes the
# Open5GS 2.7 defaults: every NF on its 127.0.0.x loopback address with the standard ports.
networkName:
  full: Pakawaaz Demo Network
  short: Pakawaaz
plmn:
  mcc: '001'
  mnc: '01'
tacs: [1]
slices:
  - name: eMBB
    sst: 1
  - name: government priority
    sst: 1
    sd: '000001'
dnns:
  - name: internet
    ipv4:
      subnet: 10.45.0.0/16
      gateway: 10.45.0.1
    # Public resolvers so the lab works anywhere; production uses the national resolvers.
    dns: [8.8.8.8, 8.8.4.4]
    mtu: 1400
    slices:
      - sst: 1
  - name: gov
    ipv4:
      subnet: 10.46.0.0/16
      gateway: 10.46.0.1
    dns: [8.8.8.8, 8.8.4.4]
    mtu: 1400
    slices:
      - sst: 1
        sd: '000001'
security:
  nr:
    integrity: [NIA2, NIA1]
    ciphering: [NEA2, NEA1, NEA0]
  lte:
    integrity: [EIA2, EIA1]
    ciphering: [EEA2, EEA1, EEA0]
expectedUeCount: 10000
`;
