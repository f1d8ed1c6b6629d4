module gotrace-tui/tools/gen-unicode-tables

go 1.26.0
