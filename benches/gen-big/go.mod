module gotrace-tui/benches/gen-big

// Kept at go 1.22 (standard library only) so that older toolchains (Go 1.22 – 1.25)
// can build it too and write big traces in their own format versions.
go 1.22
