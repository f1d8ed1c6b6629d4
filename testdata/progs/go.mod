module gotrace-tui/testdata/progs

go 1.22
