package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	qrViewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	qrRun     = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// qrModules reads the dark modules back out of an SVG made by qrSVG.
func qrModules(t *testing.T, svg string) [][]bool {
	t.Helper()
	m := qrViewBox.FindStringSubmatch(svg)
	if m == nil || m[1] != m[2] {
		t.Fatalf("no square viewBox in %.80s", svg)
	}
	n, _ := strconv.Atoi(m[1])
	grid := make([][]bool, n)
	for i := range grid {
		grid[i] = make([]bool, n)
	}
	d := svg[strings.Index(svg, ` d="`)+4:]
	d = d[:strings.IndexByte(d, '"')]
	if rest := qrRun.ReplaceAllString(d, ""); rest != "" {
		t.Fatalf("path has more than runs: %.40q", rest)
	}
	for _, r := range qrRun.FindAllStringSubmatch(d, -1) {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		if r[3] != r[4] || y >= n || x+w > n {
			t.Fatalf("bad run %s", r[0])
		}
		for i := x; i < x+w; i++ {
			if grid[y][i] {
				t.Fatalf("runs overlap at %d,%d", i, y)
			}
			grid[y][i] = true
		}
	}
	return grid
}

// TestQRSVG checks the structure of a rendered code: a square of 4·version+17
// modules plus the quiet zone, the zone light, the three finder patterns
// where a scanner looks for them, and a different drawing for another text.
func TestQRSVG(t *testing.T) {
	svg, err := qrSVG("https://wanhu.example.org/a/AbCdEfGhIjKlMnOp", "预约<上门>")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if strings.Count(s, "<path") != 1 || !strings.Contains(s, `shape-rendering="crispEdges"`) || !strings.Contains(s, `aria-label="预约&lt;上门&gt;"`) {
		t.Errorf("svg shape: %.200s", s)
	}
	g := qrModules(t, s)
	const quiet = 4
	n := len(g)
	if size := n - 2*quiet; size < 21 || (size-17)%4 != 0 {
		t.Fatalf("%d modules across is no QR code size", n)
	}
	for i := range n {
		for j := range quiet {
			if g[j][i] || g[n-1-j][i] || g[i][j] || g[i][n-1-j] {
				t.Fatalf("quiet zone dark at row/col %d, %d", i, j)
			}
		}
	}
	// A finder pattern: a dark 7×7 ring, a light 5×5 ring, a dark 3×3 core.
	finder := func(x0, y0 int) {
		for y := range 7 {
			for x := range 7 {
				ring := min(x, y, 6-x, 6-y)
				if want := ring != 1; g[y0+y][x0+x] != want {
					t.Errorf("finder at %d,%d: module %d,%d dark=%v", x0, y0, x, y, !want)
				}
			}
		}
	}
	far := n - quiet - 7
	finder(quiet, quiet)
	finder(far, quiet)
	finder(quiet, far)
	other, err := qrSVG("https://wanhu.example.org/a/ZyXwVuTsRqPoNmLk", "预约")
	if err != nil {
		t.Fatal(err)
	}
	if qrRun.FindAllString(string(other), -1) == nil || strings.Contains(string(other), s[strings.Index(s, ` d="`):]) {
		t.Error("two texts drew the same code")
	}
}
