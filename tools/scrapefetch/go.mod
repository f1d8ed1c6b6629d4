module gotrace-tui/tools/scrapefetch

go 1.26
