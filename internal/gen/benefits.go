package gen

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"wanhu/internal/apperr"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store"
)

// The article's benefits (issue 17): "发现5户困难家庭，其中4户8人纳入低保，
// 1户2人纳入低保边缘户，12人次获得临时救助".
const (
	DongxingDibaoHouseholds     = 4
	DongxingDibaoPersons        = 8
	DongxingNearDibaoHouseholds = 1
	DongxingNearDibaoPersons    = 2
	DongxingReliefPersonTimes   = 12
)

// PilotPeriod is the demo's pilot: the six months up to today, in which
// the story's requests came in and its benefits were decided.
func PilotPeriod(today calendar.Date) (from, to calendar.Date) {
	return calendar.DateOf(today.Time().AddDate(0, -6, 0)), today
}

// DemoBenefits adds 东兴社区's benefit cases (issue 17) to the demo, after
// Generate: the households its visits found and put on dibao (four, eight
// people) and near-dibao (one, two people) — their dibao_approved ledger
// events — become approved cases decided on those days, linked to their
// dibao check measures; temporary relief for the living-alone 李奶奶 (城馨
// 丽锦, her lamp and tap) and 刘奶奶 (her blood pressure, sent to
// hospital) and for the households whose plan has a temporary relief
// measure, linked to it, twelve person-times in all; and one application
// still pending. Every decision of those falls within PilotPeriod.
//
// Besides the article's cases, which it does not count: a dibao case
// for each household whose ledger has a person's dibao withdrawn (the
// generator's dibao_withdrawn events, "家庭收入超过低保标准"), granted
// in the household's first weeks on file, before the pilot, and ended
// (停发) on the day of that event; and one application for temporary
// relief, from a household whose plan helps it find work, withdrawn (撤回)
// by its helper in the pilot when the work was found.
//
// The demo command runs it after DemoRounds.
func DemoBenefits(ctx context.Context, db *store.DB, today calendar.Date) error {
	var communityID int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'community' AND name = '东兴社区' ORDER BY id LIMIT 1`).Scan(&communityID); err != nil {
		return fmt.Errorf("demo benefits: 东兴社区: %w", err)
	}
	from, _ := PilotPeriod(today)
	d := &benefitDemo{ctx: ctx, db: db, files: household.NewStore(db), today: today, from: from}
	if err := d.dibao(communityID); err != nil {
		return fmt.Errorf("demo benefits: dibao: %w", err)
	}
	if err := d.relief(communityID); err != nil {
		return fmt.Errorf("demo benefits: relief: %w", err)
	}
	if err := d.ended(communityID); err != nil {
		return fmt.Errorf("demo benefits: ended: %w", err)
	}
	if err := d.withdrawn(communityID); err != nil {
		return fmt.Errorf("demo benefits: withdrawn: %w", err)
	}
	return nil
}

type benefitDemo struct {
	ctx   context.Context
	db    *store.DB
	files *household.Store
	today calendar.Date
	from  calendar.Date
}

// benefitCase applies for in on applied (10:00) and, unless status is
// "", decides it on decided (15:00); it returns the case and its helper,
// the grid's worker.
func (d *benefitDemo) benefitCase(in household.BenefitInput, applied, decided calendar.Date, status, by string) (*household.BenefitCase, household.Actor, error) {
	if decided.After(d.today) {
		decided = d.today
	}
	if applied.After(decided) {
		applied = decided
	}
	grid, worker := int64(0), household.Actor{Name: "网格员"}
	if err := d.db.QueryRowContext(d.ctx, `SELECT grid_id FROM households WHERE id = ?`, in.HouseholdID).Scan(&grid); err != nil {
		return nil, worker, err
	}
	if m, err := org.GridWorker(d.ctx, d.db, grid); err == nil {
		in.HelperID, worker.Name = m.ID, m.Name
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return nil, worker, err
	}
	in.AppliedOn = applied.String()
	d.files.SetClock(func() time.Time { return applied.Midnight().Add(10 * time.Hour) })
	c, err := d.files.CreateBenefit(d.ctx, worker, in)
	if err != nil || status == "" {
		return c, worker, err
	}
	d.files.SetClock(func() time.Time { return decided.Midnight().Add(15 * time.Hour) })
	c, err = d.files.DecideBenefit(d.ctx, household.Actor{Name: by}, c.ID, household.BenefitDecision{Status: status, DecidedOn: decided.String(), Version: c.Version})
	return c, worker, err
}

// dibao makes a case of each household put on (near-)dibao in the pilot:
// the persons of its dibao_approved events (of one day), decided on it.
func (d *benefitDemo) dibao(communityID int64) error {
	fs, err := d.ledgerGroups(communityID, household.EvDibaoApproved)
	if err != nil {
		return err
	}
	for _, f := range fs {
		decided := calendar.DayOf(f.at)
		if decided.Before(d.from) {
			decided = d.from
		}
		in := household.BenefitInput{HouseholdID: f.household, Kind: household.BenefitDibao, PersonIDs: f.persons,
			Amount: int64(760 * len(f.persons)), Period: "monthly", Note: "走访发现困难家庭，申请纳入低保"}
		if f.after == "near_dibao" {
			in.Kind, in.Amount, in.Period, in.Form = household.BenefitNearDibao, 0, "", "in_kind"
			in.Note = "走访发现困难家庭，申请纳入低保边缘户，享受医疗、教育等专项救助"
		}
		if in.MeasureID, err = d.measure(f.household, "dibao_check"); err != nil {
			return err
		}
		applied := calendar.DateOf(decided.Time().AddDate(0, 0, -15))
		if _, _, err := d.benefitCase(in, applied, decided, household.BenefitApproved, "冯晓霞"); err != nil {
			return fmt.Errorf("household %d: %w", f.household, err)
		}
	}
	return nil
}

// ledgerGroup is a household's ledger events of one type about its
// persons: the first event's value after, note and time, the household's
// creation, and the persons of the events on the first event's day.
type ledgerGroup struct {
	household   int64
	after, note string
	at, created time.Time
	persons     []int64
}

// ledgerGroups returns the ledger events of type typ about persons of the
// households of the community, a group a household, in the order of their
// first events.
func (d *benefitDemo) ledgerGroups(communityID int64, typ string) ([]*ledgerGroup, error) {
	rows, err := d.db.QueryContext(d.ctx, `SELECT e.household_id, e.person_id, e.after, e.note, e.at, h.created_at FROM ledger_events e
		JOIN households h ON h.id = e.household_id JOIN org_units g ON g.id = h.grid_id
		WHERE e.type = ? AND g.parent_id = ? AND e.person_id IS NOT NULL ORDER BY e.at, e.household_id, e.person_id`, typ, communityID)
	if err != nil {
		return nil, err
	}
	var gs []*ledgerGroup
	for rows.Next() {
		var x ledgerGroup
		var pid int64
		if err := rows.Scan(&x.household, &pid, &x.after, &x.note, &x.at, &x.created); err != nil {
			rows.Close()
			return nil, err
		}
		i := slices.IndexFunc(gs, func(g *ledgerGroup) bool { return g.household == x.household })
		if i < 0 {
			gs, i = append(gs, &x), len(gs)
		}
		if calendar.DayOf(x.at) == calendar.DayOf(gs[i].at) {
			gs[i].persons = append(gs[i].persons, pid)
		}
	}
	return gs, errors.Join(rows.Err(), rows.Close())
}

// measure returns the first measure of kind in the plan of household id
// (0 for none).
func (d *benefitDemo) measure(householdID int64, kind string) (int64, error) {
	var id int64
	err := d.db.QueryRowContext(d.ctx, `SELECT id FROM plan_measures WHERE household_id = ? AND kind = ? ORDER BY id LIMIT 1`, householdID, kind).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// storyElder returns the household and person of the living-alone
// elderly person name of compound in the community (0, 0 if the demo has
// none): 李奶奶 (李秀英), 乔大爷 (乔德明) and 刘奶奶 (刘桂兰) of the story.
func storyElder(ctx context.Context, db *store.DB, communityID int64, name, compound string) (int64, int64, error) {
	var hid, pid int64
	err := db.QueryRowContext(ctx, `SELECT h.id, p.id FROM persons p JOIN households h ON h.id = p.household_id
		JOIN compounds c ON c.id = h.compound_id JOIN person_tags t ON t.person_id = p.id
		WHERE p.name = ? AND c.name = ? AND c.community_id = ? AND t.tag = 'living_alone_elderly' AND p.active ORDER BY p.id LIMIT 1`,
		name, compound, communityID).Scan(&hid, &pid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return hid, pid, err
}

// relief gives temporary relief to 李奶奶 and 刘奶奶 and, by their plans'
// temporary relief measures, to other households, twelve person-times in
// all; and leaves one application pending.
func (d *benefitDemo) relief(communityID int64) error {
	left := DongxingReliefPersonTimes
	// 李奶奶: her request (the lamp and the tap) was the story's seventh
	// day; the relief was decided two days after it came in.
	hid, pid, err := storyElder(d.ctx, d.db, communityID, "李秀英", "城馨丽锦小区")
	if err != nil {
		return err
	}
	if hid != 0 {
		day := d.at(20)
		var reqID, reqHousehold int64
		var submitted time.Time
		err := d.db.QueryRowContext(d.ctx, `SELECT id, COALESCE(household_id, 0), submitted_at FROM requests WHERE description LIKE ? ORDER BY id LIMIT 1`,
			"%李奶奶家灯坏了%").Scan(&reqID, &reqHousehold, &submitted)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if reqID != 0 {
			day = calendar.DayOf(submitted)
		}
		in := household.BenefitInput{HouseholdID: hid, Kind: household.BenefitTemporaryRelief, PersonIDs: []int64{pid}, Amount: 800,
			Period: "one_off", Note: "独居老人家中灯坏了、水龙头漏水，换灯修龙头后申请临时救助"}
		if reqHousehold == hid {
			in.RequestID = reqID
		}
		if in.MeasureID, err = d.measure(hid, "weekly_visit"); err != nil {
			return err
		}
		if _, _, err := d.benefitCase(in, day, calendar.DateOf(day.Time().AddDate(0, 0, 2)), household.BenefitApproved, "冯晓霞"); err != nil {
			return fmt.Errorf("李奶奶: %w", err)
		}
		left--
	}
	// 刘奶奶: her blood pressure shot up and she was sent to hospital.
	if hid, pid, err = storyElder(d.ctx, d.db, communityID, "刘桂兰", "一化小区"); err != nil {
		return err
	}
	if hid != 0 {
		in := household.BenefitInput{HouseholdID: hid, Kind: household.BenefitTemporaryRelief, PersonIDs: []int64{pid}, Amount: 1500,
			Period: "one_off", Note: "独居老人血压骤高送医，医药费困难，申请临时救助"}
		if in.MeasureID, err = d.measure(hid, "weekly_visit"); err != nil {
			return err
		}
		day := d.at(60)
		if _, _, err := d.benefitCase(in, day, calendar.DateOf(day.Time().AddDate(0, 0, 3)), household.BenefitApproved, "冯晓霞"); err != nil {
			return fmt.Errorf("刘奶奶: %w", err)
		}
		left--
	}
	// The plans' temporary relief measures, in order, until the twelve
	// person-times are reached; the next one stays an application.
	rows, err := d.db.QueryContext(d.ctx, `SELECT m.id, m.household_id FROM plan_measures m JOIN households h ON h.id = m.household_id
		JOIN org_units g ON g.id = h.grid_id WHERE m.kind = ? AND g.parent_id = ? ORDER BY m.id`, household.BenefitTemporaryRelief, communityID)
	if err != nil {
		return err
	}
	type measure struct{ id, household int64 }
	var ms []measure
	for rows.Next() {
		var m measure
		if err := rows.Scan(&m.id, &m.household); err != nil {
			rows.Close()
			return err
		}
		ms = append(ms, m)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for i, m := range ms {
		hh, err := d.files.HouseholdByID(d.ctx, m.household)
		if err != nil {
			return err
		}
		var persons []int64
		for _, p := range hh.Members {
			if p.Current() {
				persons = append(persons, p.ID)
			}
		}
		if len(persons) == 0 {
			continue
		}
		day := d.at(35 + 12*i)
		in := household.BenefitInput{HouseholdID: m.household, Kind: household.BenefitTemporaryRelief, MeasureID: m.id,
			Amount: int64(500 * len(persons)), Period: "one_off", Note: "家庭遭遇突发困难，申请临时救助"}
		if left <= 0 {
			// The next one is still with the street (街道) for its decision.
			in.PersonIDs = persons
			if _, _, err := d.benefitCase(in, calendar.DateOf(d.today.Time().AddDate(0, 0, -3)), d.today, "", ""); err != nil {
				return err
			}
			break
		}
		in.PersonIDs = persons[:min(len(persons), left)]
		in.Amount = int64(500 * len(in.PersonIDs))
		if i%3 == 2 {
			in.Form, in.Amount, in.Period, in.Note = "in_kind", 0, "", "家庭遭遇突发困难，发放米面油和棉衣"
		}
		if _, _, err := d.benefitCase(in, day, calendar.DateOf(day.Time().AddDate(0, 0, 5)), household.BenefitApproved, "冯晓霞"); err != nil {
			return fmt.Errorf("measure %d: %w", m.id, err)
		}
		left -= len(in.PersonIDs)
	}
	return nil
}

// at is the day n days after the pilot began, or today if that is later.
func (d *benefitDemo) at(n int) calendar.Date {
	day := calendar.DateOf(d.from.Time().AddDate(0, 0, n))
	if day.After(d.today) {
		return d.today
	}
	return day
}

// ended makes a dibao case of each household of the community whose
// ledger has persons' dibao withdrawn: the persons of its first such day,
// applied a week after the household came on file, granted at the latest
// 25 days after (before the pilot, so the article's figures stay) and
// ended on that day for the reason of its events.
func (d *benefitDemo) ended(communityID int64) error {
	stops, err := d.ledgerGroups(communityID, household.EvDibaoWithdrawn)
	if err != nil {
		return err
	}
	for _, st := range stops {
		on, registeredOn, reason := calendar.DayOf(st.at), calendar.DayOf(st.created), st.note
		decided := calendar.DateOf(registeredOn.Time().AddDate(0, 0, 25))
		if !decided.Before(on) {
			decided = calendar.DateOf(on.Time().AddDate(0, 0, -1))
		}
		applied := calendar.DateOf(registeredOn.Time().AddDate(0, 0, 7))
		if applied.After(decided) {
			applied = decided
		}
		if !decided.Before(d.from) || decided.Before(registeredOn) {
			continue // granted in the pilot, it would count among the article's
		}
		if reason == "" {
			reason = "家庭收入超过低保标准"
		}
		in := household.BenefitInput{HouseholdID: st.household, Kind: household.BenefitDibao, PersonIDs: st.persons,
			Amount: int64(760 * len(st.persons)), Period: "monthly", Note: "建档走访发现家庭收入低于低保标准，申请纳入低保"}
		c, _, err := d.benefitCase(in, applied, decided, household.BenefitApproved, "冯晓霞")
		if err != nil {
			return fmt.Errorf("household %d: %w", st.household, err)
		}
		d.files.SetClock(func() time.Time { return on.Midnight().Add(11 * time.Hour) })
		if _, err := d.files.EndBenefit(d.ctx, household.Actor{Name: "冯晓霞"}, c.ID, household.BenefitEnd{EndedOn: on.String(),
			Reason: reason, Version: c.Version}); err != nil {
			return fmt.Errorf("household %d: end: %w", st.household, err)
		}
	}
	return nil
}

// withdrawn makes one application for temporary relief in the pilot that
// its helper withdraws twelve days later, someone of the household having
// found work: of the first household of the community whose plan helps
// it find work (employment_help) and which has no case.
func (d *benefitDemo) withdrawn(communityID int64) error {
	var hid, measure int64
	err := d.db.QueryRowContext(d.ctx, `SELECT m.household_id, m.id FROM plan_measures m JOIN households h ON h.id = m.household_id
		JOIN org_units g ON g.id = h.grid_id WHERE m.kind = 'employment_help' AND g.parent_id = ?
		AND NOT EXISTS (SELECT 1 FROM benefit_cases c WHERE c.household_id = m.household_id) ORDER BY m.id LIMIT 1`, communityID).Scan(&hid, &measure)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	hh, err := d.files.HouseholdByID(d.ctx, hid)
	if err != nil {
		return err
	}
	in := household.BenefitInput{HouseholdID: hid, Kind: household.BenefitTemporaryRelief, MeasureID: measure, Period: "one_off",
		Note: "家中主要劳动力失业，生活困难，申请临时救助"}
	for _, p := range hh.Members {
		if p.Current() {
			in.PersonIDs = append(in.PersonIDs, p.ID)
		}
	}
	if len(in.PersonIDs) == 0 {
		return nil
	}
	in.Amount = int64(500 * len(in.PersonIDs))
	applied := d.at(100)
	c, worker, err := d.benefitCase(in, applied, applied, "", "")
	if err != nil {
		return err
	}
	on := calendar.DateOf(applied.Time().AddDate(0, 0, 12))
	if on.After(d.today) {
		on = d.today
	}
	d.files.SetClock(func() time.Time { return on.Midnight().Add(16 * time.Hour) })
	_, err = d.files.WithdrawBenefit(d.ctx, worker, c.ID, household.BenefitWithdrawal{WithdrawnOn: on.String(),
		Reason: "经推荐已重新就业，家庭收入恢复，户主主动撤回申请", Version: c.Version})
	return err
}
