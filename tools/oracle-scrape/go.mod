module gotrace-tui/tools/oracle-scrape

go 1.26
