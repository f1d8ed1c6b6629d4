module gotrace-tui/tools/gen-unicode-tables

go 1.26.0

require golang.org/x/sys v0.50.0 // indirect
