package web

import (
	"cmp"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/visit"
)

// cardsPerPage is how many contact cards an A4 page holds (2 × 4).
const cardsPerPage = 8

// cardSheet is a printable sheet of contact cards (走访联系卡), eight to an
// A4 page: what a visitor leaves at a door nobody opened.
type cardSheet struct {
	Page
	Back  string
	Count int
	Pages [][]contactCard
}

// contactCard is one card: whom to call, the address it was left at and
// the QR code of the household's appointment page. Nothing else about the
// household is on it.
type contactCard struct {
	HouseholdID int64
	Community   string
	Hotline     string
	Contact     cardContact
	// GridWorker and GridWeChat name the grid worker's WeChat when the
	// contact has none of their own: every card carries one (R9).
	GridWorker, GridWeChat string
	Address                string
	Link                   string
	QR                     template.HTML
}

// cardContact is the team member a card gives: name, role, phone, WeChat.
type cardContact struct {
	Name, Role, Phone, WeChat string
}

// cardList is what a sheet is printed for: households of one grid, each
// with the team member whose details go on its card (0: the grid's grid
// worker), and where the sheet's back button leads.
type cardList struct {
	grid  int64
	items []cardItem
	back  string
}

type cardItem struct {
	household int64
	address   string
	member    int64
}

// cards prints the cards of a plan (?plan=ID, optionally &member=ID for
// one visitor's) or of a building (?building=ID).
func (h *handler) cards(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var list cardList
	var err error
	switch {
	case q.Has("plan"):
		list, err = h.planCards(r, q.Get("plan"), q.Get("member"))
	case q.Has("building"):
		list, err = h.buildingCards(r, q.Get("building"))
	default:
		err = apperr.ErrNotFound
	}
	if err != nil {
		h.showError(w, r, err)
		return
	}
	if err := h.renderCards(w, r, list); err != nil {
		h.showError(w, r, err)
	}
}

// householdCard prints the card of one household.
func (h *handler) householdCard(w http.ResponseWriter, r *http.Request) {
	hh, err := h.loadHousehold(r)
	if err != nil {
		h.showError(w, r, err)
		return
	}
	err = h.renderCards(w, r, cardList{grid: hh.GridID, items: []cardItem{{household: hh.ID, address: hh.Address}},
		back: "/households/" + strconv.FormatInt(hh.ID, 10) + "/visits"})
	if err != nil {
		h.showError(w, r, err)
	}
}

// planCards lists the households of a plan within the user's scope, with
// the visitor each is planned for; member keeps one visitor's only.
func (h *handler) planCards(r *http.Request, planID, memberID string) (cardList, error) {
	id, err := pathID(planID)
	if err != nil {
		return cardList{}, err
	}
	var member int64
	if memberID != "" {
		if member, err = pathID(memberID); err != nil {
			return cardList{}, err
		}
	}
	p, err := h.visits(r).PlanByID(r.Context(), id)
	if err != nil {
		return cardList{}, err
	}
	list := cardList{grid: p.GridID, back: "/plans?" + url.Values{"grid": {strconv.FormatInt(p.GridID, 10)}, "week": {p.Week}}.Encode()}
	var ids []int64
	for _, v := range p.Visitors {
		if member != 0 && v.TeamMemberID != member {
			continue
		}
		for _, it := range v.Households {
			list.items = append(list.items, cardItem{household: it.HouseholdID, address: it.Address, member: v.TeamMemberID})
			ids = append(ids, it.HouseholdID)
		}
	}
	seen, err := h.files(r).Seen(r.Context(), ids)
	if err != nil {
		return cardList{}, err
	}
	list.items = slices.DeleteFunc(list.items, func(it cardItem) bool { return !seen[it.household] })
	return list, nil
}

// buildingCards lists the occupied households of a building within the
// user's scope, by unit, floor and room.
func (h *handler) buildingCards(r *http.Request, buildingID string) (cardList, error) {
	id, err := pathID(buildingID)
	if err != nil {
		return cardList{}, err
	}
	b, _, err := org.BuildingByID(r.Context(), h.db, id)
	if err != nil {
		return cardList{}, err
	}
	hs, _, err := h.files(r).List(r.Context(), household.Filter{BuildingID: id, PerPage: -1})
	if err != nil {
		return cardList{}, err
	}
	hs = slices.DeleteFunc(hs, func(x household.Household) bool { return x.Occupancy == "vacant" })
	slices.SortFunc(hs, func(a, b household.Household) int {
		return cmp.Or(numeric(a.Unit, b.Unit), cmp.Compare(a.Floor, b.Floor), numeric(a.Room, b.Room), cmp.Compare(a.ID, b.ID))
	})
	list := cardList{grid: b.GridID, back: "/households"}
	for _, x := range hs {
		list.items = append(list.items, cardItem{household: x.ID, address: x.Address})
	}
	return list, nil
}

// numeric compares room and unit numbers as numbers ("9" before "10").
func numeric(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// renderCards makes the cards of list, with one call for the tokens, and
// shows them; apperr.ErrNotFound when there is none to print.
func (h *handler) renderCards(w http.ResponseWriter, r *http.Request, list cardList) error {
	if len(list.items) == 0 {
		return apperr.ErrNotFound
	}
	ctx := r.Context()
	v := cardSheet{Page: h.page(r, "card.sheet_title", ""), Back: list.back, Count: len(list.items)}
	l := v.L
	g, err := org.GridByID(ctx, h.db, list.grid)
	if err != nil {
		return err
	}
	community, err := org.UnitByID(ctx, h.db, g.CommunityID)
	if err != nil {
		return err
	}
	var worker cardContact
	switch m, err := org.GridWorker(ctx, h.db, g.ID); {
	case err == nil:
		worker = contactOf(l, m)
	case !errors.Is(err, apperr.ErrNotFound):
		return err
	}
	ids := make([]int64, len(list.items))
	for i, it := range list.items {
		ids[i] = it.household
	}
	tokens, err := visit.CardTokens(ctx, h.db, ids)
	if err != nil {
		return err
	}
	base := h.publicBase(r)
	members := map[int64]cardContact{}
	var page []contactCard
	for _, it := range list.items {
		c := contactCard{HouseholdID: it.household, Community: community.Name, Hotline: community.Phone, Contact: worker,
			Address: it.address, Link: base + "/a/" + tokens[it.household]}
		if it.member != 0 {
			m, ok := members[it.member]
			if !ok {
				switch tm, err := org.TeamMemberByID(ctx, h.db, it.member); {
				case err == nil:
					m = contactOf(l, tm)
				case !errors.Is(err, apperr.ErrNotFound):
					return err
				}
				members[it.member] = m
			}
			if m.Phone != "" {
				c.Contact = m
			}
			if c.Contact.WeChat == "" {
				c.GridWorker, c.GridWeChat = worker.Name, worker.WeChat
			}
		}
		if c.QR, err = qrSVG(c.Link, l.T("card.qr_label")); err != nil {
			return err
		}
		if page = append(page, c); len(page) == cardsPerPage {
			v.Pages, page = append(v.Pages, page), nil
		}
	}
	if len(page) > 0 {
		v.Pages = append(v.Pages, page)
	}
	h.render(w, r, http.StatusOK, "cards", v)
	return nil
}

// contactOf is team member m as a card names them.
func contactOf(l *Locale, m org.TeamMember) cardContact {
	return cardContact{Name: m.Name, Role: l.Enum("role", string(m.Role)), Phone: m.Phone, WeChat: m.WeChat}
}

// publicBase is the address printed links start with: --public-url, or
// the one this request came in at.
func (h *handler) publicBase(r *http.Request) string {
	if h.publicURL != "" {
		return strings.TrimSuffix(h.publicURL, "/")
	}
	scheme := "http"
	if p := r.Header.Get("X-Forwarded-Proto"); r.TLS != nil || p == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
