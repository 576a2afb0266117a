// The bridge makes its own IdP key with the same code; the simulator's test kit re-exports it from here.
export * from '../../lib/x509-self-signed';
