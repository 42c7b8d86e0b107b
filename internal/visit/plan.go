package visit

import (
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
)

// PlanConfig holds the numbers a weekly plan is made with.
type PlanConfig struct {
	// Quota is how many households a grid's plan holds at least, when the
	// grid has them (R7: a grid leader leads visits of 100 a week).
	Quota int
	// Capacity is how many households a team member visits in a week, by
	// role; Default for the roles not listed.
	Capacity map[org.Role]int
	Default  int
}

// DefaultPlanConfig is the configuration of issue 4.
var DefaultPlanConfig = PlanConfig{
	Quota:    100,
	Capacity: map[org.Role]int{org.RoleGridWorker: 100, org.RoleVolunteer: 30, org.RoleBuildingHead: 20},
	Default:  20,
}

// capacity returns the weekly capacity of role r.
func (c PlanConfig) capacity(r org.Role) int {
	if n, ok := c.Capacity[r]; ok {
		return n
	}
	return c.Default
}

// Plan is the weekly visit plan of a grid: per visitor, the households to
// visit in walking order.
type Plan struct {
	ID          int64         `json:"id"`
	GridID      int64         `json:"grid"`
	GridName    string        `json:"grid_name"`
	Week        string        `json:"week"`
	From        calendar.Date `json:"from"`
	To          calendar.Date `json:"to"`
	GeneratedAt time.Time     `json:"generated_at"`
	GeneratedBy string        `json:"generated_by"`
	Visitors    []PlanVisitor `json:"visitors"`
	Total       int           `json:"total"`
	Coverage    Coverage      `json:"coverage"`
}

// PlanVisitor is one visitor's part of a plan.
type PlanVisitor struct {
	TeamMemberID int64      `json:"team_member_id"`
	User         string     `json:"user"`
	Role         org.Role   `json:"role"`
	Languages    []string   `json:"languages"`
	Availability []string   `json:"availability"`
	Capacity     int        `json:"capacity"`
	Households   []PlanItem `json:"households"`
	// WithoutPreJob says the visitor has not passed the pre-job training
	// (R20). The faces set it (staff.WithoutPreJob): this package does
	// not know about training.
	WithoutPreJob bool `json:"without_pre_job,omitempty"`
}

// PlanItem is a household in a visitor's list. Reason says why it is in the
// plan ("overdue", "due" or "round": the rest of the grid in turn) and how it
// was paired ("language:bo", "evening", "weekend", "offpeak").
type PlanItem struct {
	HouseholdID  int64            `json:"household_id"`
	Position     int              `json:"position"`
	Colour       household.Colour `json:"colour"`
	Priority     int              `json:"priority"`
	Reason       string           `json:"reason"`
	Address      string           `json:"address"`
	Householder  string           `json:"householder"`
	Compound     string           `json:"compound"`
	Building     string           `json:"building"`
	Unit         string           `json:"unit"`
	Floor        int              `json:"floor"`
	Room         string           `json:"room"`
	Language     string           `json:"language"`
	ContactTimes []string         `json:"contact_times"`
	NextDueOn    calendar.Date    `json:"next_due_on"`
}

// Coverage is the share of a grid's occupied households visited this week,
// month, quarter and year (by their last visit), from 0 to 1.
type Coverage struct {
	Households int     `json:"households"`
	Week       float64 `json:"week"`
	Month      float64 `json:"month"`
	Quarter    float64 `json:"quarter"`
	Year       float64 `json:"year"`
}
