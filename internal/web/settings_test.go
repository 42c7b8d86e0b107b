package web

import (
	"net/http"
	"testing"

	"wanhu/internal/store"
	"wanhu/internal/store/storetest"
)

// paths are the pages the settings page links to, by link id.
var settingsPaths = map[string]string{"users": "/users", "policy": "/visits/policy", "survey": "/survey", "weights": "/staff/weights",
	"calendar": "/calendar", "notifications": "/notifications", "tokens": "/account/tokens",
	"password": "/account/password", "totp": "/account/totp", "totp_roles": "/settings/totp"}

// TestSettingsPage: the settings page lists what each user may open, and
// every page it links to opens for them.
func TestSettingsPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, c := range []struct {
			user      string
			see, hide []string
		}{
			{"admin", []string{"users", "policy", "survey", "weights", "calendar", "notifications", "tokens", "password", "totp", "totp_roles"}, nil},
			{"worker", []string{"survey", "tokens", "password", "totp"}, []string{"users", "policy", "weights", "calendar", "notifications", "totp_roles"}},
		} {
			u := e.signedIn(c.user)
			code, body := u.get("/settings")
			if code != http.StatusOK {
				t.Fatalf("%s: %d", c.user, code)
			}
			for _, id := range c.see {
				mustContain(t, c.user+"'s settings", body, `id="settings-`+id+`"`)
			}
			for _, id := range c.hide {
				mustNotContain(t, c.user+"'s settings", body, `id="settings-`+id+`"`)
			}
			for _, id := range c.see {
				path := settingsPaths[id]
				if code, _ := u.get(path); code != http.StatusOK {
					t.Errorf("%s opens %s from the settings: %d", c.user, path, code)
				}
			}
		}
	})
}
