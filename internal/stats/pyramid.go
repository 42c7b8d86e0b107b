package stats

// Option asks Population for more than the bands and breakdowns.
type Option func(*options)

type options struct {
	pyramid            bool
	snapshot, dayAsked bool // FromSnapshot
	live               bool // Live
}

// WithPyramid adds the population pyramid: people by five-year age group
// (0-4 … 95-99, 100 and over) and sex. Its sums join the same aggregate,
// so a count without it costs nothing more.
func WithPyramid() Option { return func(o *options) { o.pyramid = true } }

// PyramidRow is one age group of the pyramid, its people by sex.
type PyramidRow struct {
	Group  string `json:"group"`
	Male   int    `json:"male"`
	Female int    `json:"female"`
}

// pyramidStep and pyramidTop shape the pyramid: five-year groups up to
// 95-99, then 100 and over.
const (
	pyramidStep = 5
	pyramidTop  = 100
)

// PyramidBands are the age groups of the pyramid, youngest first.
func PyramidBands() []Band {
	var out []Band
	for a := 0; a < pyramidTop; a += pyramidStep {
		out = append(out, Band{a, a + pyramidStep - 1})
	}
	return append(out, Band{pyramidTop, -1})
}

// pyramidOf starts a pyramid with every group at zero.
func pyramidOf(groups []Band) []PyramidRow {
	out := make([]PyramidRow, len(groups))
	for i, b := range groups {
		out[i].Group = b.String()
	}
	return out
}

// add adds n people of sex gender to group i.
func (r *PyramidRow) add(gender string, n int) {
	switch gender {
	case "male":
		r.Male += n
	case "female":
		r.Female += n
	}
}
