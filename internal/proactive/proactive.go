// Package proactive is proactive service (未诉先办, issue 16): rules that
// look at the household files and the visits every day and make tasks,
// each with a reason the user can read, before anyone asks. A task is
// done, dismissed with a reason or turned into a request.
//
// The rule set is data plus Go code: each rule is one small file
// (rule_*.go) with its test, registered in Rules; its parameters have
// defaults in code and can be changed by an administrator (params.go,
// the settings row proactive_rules). Run (run.go) applies every enabled
// rule on a day and inserts what they find with ON CONFLICT DO NOTHING on
// (rule, household, period), so a rerun, or the same run on a second
// server, makes nothing twice.
package proactive

import (
	"context"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/store"
)

// States of a task.
const (
	Open      = "open"
	Done      = "done"
	Dismissed = "dismissed"
	Converted = "converted"
)

// States lists the states of a task.
var States = []string{Open, Done, Dismissed, Converted}

// Task is one proactive task.
type Task struct {
	ID            int64         `json:"id"`
	Rule          string        `json:"rule"`
	HouseholdID   int64         `json:"household_id"`
	PersonID      int64         `json:"person_id,omitempty"`
	GridID        int64         `json:"grid_id"`
	Address       string        `json:"address,omitempty"`
	Period        string        `json:"period"`
	Reason        string        `json:"reason"`
	Due           calendar.Date `json:"due"`
	State         string        `json:"state"`
	DismissReason string        `json:"dismiss_reason,omitempty"`
	RequestID     int64         `json:"request_id,omitempty"`
	ClosedBy      string        `json:"closed_by,omitempty"`
	ClosedAt      *time.Time    `json:"closed_at,omitempty"`
	CreatedOn     calendar.Date `json:"created_on"`
	Version       int           `json:"version"`
}

// Finding is what a rule found about one household: the task to make
// unless the household has one of this rule and period already.
type Finding struct {
	HouseholdID int64
	PersonID    int64 // the person it is about, if one
	Period      string
	Reason      string
	Due         calendar.Date
}

// Rule is one proactive rule: a code, its parameters with their
// defaults, and Find, which reads the files on day on and returns its
// findings. Find only reads; Run writes.
type Rule interface {
	Code() string
	Params() []Param
	Find(ctx context.Context, q store.Querier, on calendar.Date, v Values) ([]Finding, error)
}

// Rules is the rule set, in the order they run and are shown.
var Rules = []Rule{
	aloneElderly{},
	birthday{},
	heating{},
	insurance{},
	antiFraud{},
	lostJob{},
	offpeak{},
	dibaoVisit{},
	mediationFollowUp{},
}

// RuleCodes are the codes of Rules, in their order.
func RuleCodes() []string {
	codes := make([]string, len(Rules))
	for i, r := range Rules {
		codes[i] = r.Code()
	}
	return codes
}

// RuleByCode returns the rule with code c, or nil.
func RuleByCode(c string) Rule {
	for _, r := range Rules {
		if r.Code() == c {
			return r
		}
	}
	return nil
}

// addDays returns d plus n days.
func addDays(d calendar.Date, n int) calendar.Date {
	return calendar.DateOf(d.Time().AddDate(0, 0, n))
}

// daysBetween returns the number of days from a to b.
func daysBetween(a, b calendar.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}

// current is the SQL condition of a person who lives in the household
// today: active, not moved out, not deceased.
const current = `p.active AND p.moved_out_on IS NULL AND p.deceased_on IS NULL`

// elderlyHouseholds selects the households with a current member born on
// or before ? (the day someone turning the elderly age today was born).
const elderlyHouseholds = `SELECT DISTINCT p.household_id FROM persons p WHERE ` + current + ` AND p.birth_date <= ?`
