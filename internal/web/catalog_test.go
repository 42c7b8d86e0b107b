package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/store/storetest"
)

// TestLocalesComplete fails when a key is in one language and not the other.
func TestLocalesComplete(t *testing.T) {
	keys := map[string]map[string]string{}
	for _, lang := range Languages {
		m, err := readLocale(lang)
		if err != nil {
			t.Fatal(err)
		}
		keys[lang] = m
	}
	for _, a := range Languages {
		for _, b := range Languages {
			for k := range keys[a] {
				if _, ok := keys[b][k]; !ok {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
			}
		}
	}
	// Every enumeration value has its "<field>.<value>" key.
	enums := map[string][]string{"kind": household.Kinds, "colour": household.Colours, "occupancy": household.Occupancies,
		"contact_times": household.ContactTimes, "language": household.Languages, "gender": household.Genders,
		"residence": household.Residences, "relation": household.Relations, "employment": household.Employments,
		"school": household.Schools, "disability_type": household.Disabilities, "dibao": household.DibaoStatuses,
		"need_kind": household.NeedKinds, "need_status": household.NeedStatuses, "measure_kind": household.MeasureKinds,
		"frequency": household.Frequencies, "measure_status": household.MeasureStates, "event": household.LedgerTypes}
	for _, r := range org.Roles {
		enums["role"] = append(enums["role"], string(r))
	}
	for field, values := range enums {
		for _, v := range values {
			if _, ok := keys["zh-CN"][field+"."+v]; !ok {
				t.Errorf("no translation for %s.%s", field, v)
			}
		}
	}
}

// TestTemplatesParse fails when a page does not parse or names no layout.
func TestTemplatesParse(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadPages(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"login", "households", "household", "form", "person", "ledger", "print", "rosters", "roster_list", "error"} {
		if !p.names[name] {
			t.Errorf("page %s missing", name)
		}
	}
}

// TestEveryPageBothLanguages renders every page, with and without errors,
// in each language and fails on any key that has no translation.
func TestEveryPageBothLanguages(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	admin := e.signedIn("admin")
	// Give the file needs, a plan, a former member and an override.
	hid := e.widow.ID
	admin.post(fmt.Sprintf("/households/%d/needs", hid), url.Values{"kind": {"medical"}})
	admin.post(fmt.Sprintf("/households/%d/plan", hid), url.Values{"kind": {"dibao_check"}, "frequency": {"monthly"}})
	admin.post(fmt.Sprintf("/households/%d/colour", hid), url.Values{"colour": {"red"}, "reason": {"test"}})
	child := e.family.Members[2]
	admin.post(fmt.Sprintf("/persons/%d/events", child.ID), url.Values{"type": {"moved_out"}})
	fam := e.family.ID
	pages := []string{
		"/households", "/households?colour=red&grid=1", "/households/new",
		fmt.Sprintf("/households/%d", hid), fmt.Sprintf("/households/%d", fam), fmt.Sprintf("/households/%d/edit", hid),
		fmt.Sprintf("/households/%d/members/new", hid), fmt.Sprintf("/persons/%d/edit", e.family.Members[0].ID),
		fmt.Sprintf("/households/%d/ledger", fam), "/ledger", "/ledger?days=3660",
		fmt.Sprintf("/households/%d/print", fam), fmt.Sprintf("/households/%d/print", hid),
		"/rosters/key-persons", "/rosters/special-difficulty", "/households/424242",
		"/programmes", "/programmes/stats",
	}
	posts := []struct {
		path string
		v    url.Values
	}{
		{"/households", url.Values{"members[0].name": {"x"}}},
		{fmt.Sprintf("/households/%d", hid), url.Values{"version": {"0"}, "building_id": {fmt.Sprint(e.org.Buildings[0].ID)}}},
		{fmt.Sprintf("/households/%d/members", hid), url.Values{"name": {"y"}, "birth_date": {"2099-01-01"}}},
		{fmt.Sprintf("/persons/%d", e.family.Members[0].ID), url.Values{"version": {"1"}, "name": {"李建国"}, "id_number": {"123"}}},
		{fmt.Sprintf("/persons/%d/events", e.family.Members[0].ID), url.Values{"type": {"nonsense"}}},
		{fmt.Sprintf("/households/%d/needs", hid), url.Values{"kind": {"nonsense"}}},
	}
	for _, lang := range Languages {
		admin.get("/lang?to=" + lang + "&back=/households")
		for _, p := range pages {
			code, body := admin.get(p)
			if code >= 500 || strings.Contains(body, "⟦") {
				t.Errorf("%s %s: %d, untranslated %v", lang, p, code, strings.Contains(body, "⟦"))
			}
		}
		for _, p := range posts {
			code, body := admin.post(p.path, p.v)
			if code >= 500 || code == http.StatusOK || strings.Contains(body, "⟦") {
				t.Errorf("%s POST %s: %d, untranslated %v", lang, p.path, code, strings.Contains(body, "⟦"))
			}
		}
		anon := e.client()
		anon.get("/lang?to=" + lang + "&back=/login")
		if _, body := anon.get("/login"); strings.Contains(body, "⟦") {
			t.Errorf("%s login untranslated", lang)
		}
	}
	if m := e.h.catalog.Missing(); len(m) > 0 {
		t.Errorf("missing translations: %v", m)
	}
}
