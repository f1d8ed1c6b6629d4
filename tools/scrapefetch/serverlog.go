package scrapefetch

import "strings"

// ServerWarnings returns what a `go tool trace` server log says beyond the lines
// every run prints (progress, the listening address), without the log timestamps
// ("2006/01/02 15:04:05 ").
func ServerWarnings(log string) []string {
	out := []string{}
	for _, line := range strings.Split(log, "\n") {
		if len(line) >= 20 && line[4] == '/' && line[7] == '/' && line[13] == ':' && line[19] == ' ' {
			line = line[20:]
		}
		line = strings.TrimRight(line, "\r ")
		switch {
		case line == "",
			line == "Preparing trace for viewer...",
			line == "Splitting trace for viewer...",
			strings.Contains(line, "Trace viewer is listening on"),
			strings.HasSuffix(line, "processed..."):
			continue
		}
		out = append(out, line)
	}
	return out
}
