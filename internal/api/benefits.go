package api

import (
	"net/http"
	"time"

	"wanhu/internal/access"
	"wanhu/internal/calendar"
	"wanhu/internal/household"
)

// Benefit cases (issue 17): relief and benefits as services delivered;
// the rules are household's (benefit.go).

// benefitCases lists the cases in scope, the latest applied first:
// ?household=, ?kind=, ?status=, ?page=, ?per_page=. Amounts are hidden
// from a role that may not see a household's income.
func (h *handler) benefitCases(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	f := household.BenefitFilter{HouseholdID: q.id("household"), Kind: q.oneOf("kind", household.BenefitKinds),
		Status: q.oneOf("status", household.BenefitStatuses)}
	f.Page, f.PerPage = q.page()
	if q.err != nil {
		h.fail(w, r, q.err)
		return
	}
	cs, total, err := h.files(r).Benefits(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(cs, total))
}

// benefitCase returns one case in scope.
func (h *handler) benefitCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.files(r).BenefitByID(r.Context(), id)
	h.answer(w, r, http.StatusOK, c, err)
}

// createBenefitCase records an application for a household in scope.
func (h *handler) createBenefitCase(w http.ResponseWriter, r *http.Request) {
	var in household.BenefitInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.files(r).CreateBenefit(r.Context(), actor(r), in)
	h.answer(w, r, http.StatusCreated, c, err)
}

// decideBenefitCase approves or rejects an applied case at the version the
// user saw: a case out of scope answers 404 before the right to decide
// (EditHouseholds) is asked for.
func (h *handler) decideBenefitCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.files(r).BenefitInScope(r.Context(), id)
	}
	if err == nil {
		err = allow(r, access.EditHouseholds)
	}
	var in household.BenefitDecision
	if err == nil {
		err = decode(w, r, &in)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.files(r).DecideBenefit(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusOK, c, err)
}

// benefitStats counts the approved cases decided in ?from=–?to= (China
// days, both included; default 1 January of this year to today) by kind:
// households, persons and person-times, in the user's statistics scope.
func (h *handler) benefitStats(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	scope, err := statsScope(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	today := calendar.DayOf(h.now())
	from, to, err := calendar.Days(q.str("from"), q.str("to"), calendar.Date{Y: today.Y, M: time.January, D: 1}, today)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.d.Households.In(scope).BenefitReport(r.Context(), from, to)
	h.writeStats(w, r, out, err)
}

// updateBenefitCase changes an applied case at the version the user saw:
// a case out of scope answers 404 before the right (RecordNeeds).
func (h *handler) updateBenefitCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.files(r).BenefitInScope(r.Context(), id)
	}
	if err == nil {
		err = allow(r, access.RecordNeeds)
	}
	var in household.BenefitEdit
	if err == nil {
		err = decode(w, r, &in)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.files(r).UpdateBenefit(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusOK, c, err)
}

// endBenefitCase ends an approved case (停发) at the version the user saw:
// a case out of scope answers 404 before the right to decide
// (EditHouseholds) is asked for.
func (h *handler) endBenefitCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.files(r).BenefitInScope(r.Context(), id)
	}
	if err == nil {
		err = allow(r, access.EditHouseholds)
	}
	var in household.BenefitEnd
	if err == nil {
		err = decode(w, r, &in)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.files(r).EndBenefit(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusOK, c, err)
}

// withdrawBenefitCase withdraws an applied case (撤回) at the version the
// user saw: a case out of scope answers 404 before the right is asked
// for — to decide cases (EditHouseholds), or to record needs as the
// case's helper.
func (h *handler) withdrawBenefitCase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var c *household.BenefitCase
	if err == nil {
		c, err = h.files(r).BenefitByID(r.Context(), id)
	}
	if err == nil && !household.MayWithdrawBenefit(c, access.Can(user(r), access.EditHouseholds), access.Can(user(r), access.RecordNeeds), user(r).TeamMemberID) {
		err = errForbidden
	}
	var in household.BenefitWithdrawal
	if err == nil {
		err = decode(w, r, &in)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err = h.files(r).WithdrawBenefit(r.Context(), actor(r), id, in)
	h.answer(w, r, http.StatusOK, c, err)
}
