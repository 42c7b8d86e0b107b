package api

import (
	"net/http"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
)

// tags lists the configurable tags.
func (h *handler) tags(w http.ResponseWriter, r *http.Request) {
	ts, err := household.Tags(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(ts, len(ts)))
}

type tagInput struct {
	Code      string `json:"code"`
	AppliesTo string `json:"applies_to"`
	NameZH    string `json:"name_zh"`
	NameEN    string `json:"name_en"`
	KeyPerson bool   `json:"key_person"`
}

// createTag adds a tag to the list (administrators only).
func (h *handler) createTag(w http.ResponseWriter, r *http.Request) {
	var in tagInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	err := household.CreateTag(r.Context(), h.d.DB, household.Tag{Code: in.Code, AppliesTo: in.AppliesTo,
		NameZH: in.NameZH, NameEN: in.NameEN, KeyPerson: in.KeyPerson})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ts, err := household.Tags(r.Context(), h.d.DB)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, t := range ts {
		if t.Code == in.Code {
			h.writeJSON(w, r, http.StatusCreated, t)
			return
		}
	}
	h.fail(w, r, apperr.ErrNotFound)
}

// colourRules lists the colour rules in force.
func (h *handler) colourRules(w http.ResponseWriter, r *http.Request) {
	rules, err := h.files(r).Rules(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, r, http.StatusOK, listOf(rules, len(rules)))
}

type rulesInput struct {
	Rules *[]household.Rule `json:"rules"`
}

// setColourRules replaces the colour rules and recolours every household
// (administrators only).
func (h *handler) setColourRules(w http.ResponseWriter, r *http.Request) {
	var in rulesInput
	if err := decode(w, r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if in.Rules == nil {
		h.fail(w, r, fieldRequired("rules"))
		return
	}
	if err := h.files(r).SetRules(r.Context(), actor(r), *in.Rules); err != nil {
		h.fail(w, r, err)
		return
	}
	h.colourRules(w, r)
}
