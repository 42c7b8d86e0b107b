package importer

import (
	"context"
	"fmt"
	"strconv"

	"wanhu/internal/audit"
	"wanhu/internal/auth"
	"wanhu/internal/org"
)

// Accounts for the imported team (StructureOptions.Accounts). Each grid
// leader of the workbook gets a grid leader account over the grids they
// lead, and each grid worker of the team sheet with a grid a visitor
// account over it, linked to their team member (so a visitor reaches the
// households assigned to them), unless the member has an account already,
// which is left as it is. The password is one-time (auth.OneTimePassword):
// shown once in the report, stored only hashed, to be changed at the first
// sign-in.
//
// Usernames are made of the grid's number (no pinyin library is needed,
// and a clerk reads them aloud easily): g3-leader for grid 3's leader,
// g3-01, g3-02 … for its grid workers, the next free number each time; in
// a database of several communities they begin with the community's id
// (c12-g3-01), so that two communities' grid 3 do not meet.

// wantedAccount is an account the import makes.
type wantedAccount struct {
	p     *memberPlan
	role  auth.Role
	grids []*gridPlan
}

// accounts makes the accounts of the imported team.
func (r *structRun) accounts(ctx context.Context) error {
	if !r.o.Accounts {
		return nil
	}
	wants := r.wantedAccounts()
	existing, err := r.auth.MemberAccounts(ctx)
	if err != nil {
		return err
	}
	prefix, err := r.usernamePrefix(ctx)
	if err != nil {
		return err
	}
	taken, err := r.auth.UsernamesLike(ctx, prefix+"g")
	if err != nil {
		return err
	}
	for _, w := range wants {
		a := Account{DisplayName: w.p.m.Name, Role: w.role, TeamMemberID: w.p.id, Grids: []string{}}
		for _, g := range w.grids {
			a.Grids = append(a.Grids, g.name)
		}
		if u, ok := existing[w.p.id]; ok {
			a.Username, a.Existing = u, true
			r.rep.Accounts = append(r.rep.Accounts, a)
			continue
		}
		a.Username = nextUsername(prefix, w, taken)
		taken[a.Username] = true
		if !r.o.DryRun && r.rep.ErrorsTotal == 0 {
			if err := r.makeAccount(ctx, w, &a); err != nil {
				return err
			}
		}
		r.rep.Accounts = append(r.rep.Accounts, a)
	}
	return nil
}

// wantedAccounts lists the accounts the import makes: the leaders' first,
// in the order of their grids, then the grid workers'.
func (r *structRun) wantedAccounts() []*wantedAccount {
	var out []*wantedAccount
	byMember := map[int64]*wantedAccount{}
	for _, g := range r.plans {
		p, ok := r.lead[g]
		if !ok || p.id == 0 {
			continue
		}
		if w := byMember[p.id]; w != nil {
			w.grids = append(w.grids, g)
			continue
		}
		w := &wantedAccount{p: p, role: auth.GridLeader, grids: []*gridPlan{g}}
		out, byMember[p.id] = append(out, w), w
	}
	for _, p := range r.members {
		if p.id == 0 || p.m.Role != org.RoleGridWorker || p.grid == nil || p.grid.id == 0 || byMember[p.id] != nil {
			continue
		}
		w := &wantedAccount{p: p, role: auth.Visitor, grids: []*gridPlan{p.grid}}
		out, byMember[p.id] = append(out, w), w
	}
	return out
}

// usernamePrefix is "" in a database of one community, else "c<id>-".
func (r *structRun) usernamePrefix(ctx context.Context) (string, error) {
	cs, err := org.Units(ctx, r.tx, org.Community)
	if err != nil || len(cs) <= 1 {
		return "", err
	}
	return fmt.Sprintf("c%d-", r.community.ID), nil
}

// nextUsername returns the first username of w's kind not in taken.
func nextUsername(prefix string, w *wantedAccount, taken map[string]bool) string {
	grid := prefix + "g" + strconv.Itoa(w.grids[0].number)
	if w.role == auth.GridLeader {
		for i := 1; ; i++ {
			u := grid + "-leader"
			if i > 1 {
				u += strconv.Itoa(i)
			}
			if !taken[u] {
				return u
			}
		}
	}
	for i := 1; ; i++ {
		if u := fmt.Sprintf("%s-%02d", grid, i); !taken[u] {
			return u
		}
	}
}

// accountColumns maps the fields of an account's FieldError to columns.
var accountColumns = map[string]Field{"username": Name, "password": Name, "org_unit_id": Grid}

// makeAccount creates a's account with a new one-time password, linked to
// its member, and records it in the audit log.
func (r *structRun) makeAccount(ctx context.Context, w *wantedAccount, a *Account) error {
	pw := auth.OneTimePassword()
	na := auth.NewAccount{Username: a.Username, DisplayName: a.DisplayName, Password: pw, TeamMemberID: w.p.id, OneTime: true}
	for _, g := range w.grids {
		na.Grants = append(na.Grants, auth.Grant{Role: w.role, OrgUnitID: g.id})
	}
	refused, err := r.savepoint(ctx, func() error {
		if _, err := r.auth.CreateAccount(ctx, na); err != nil {
			return err
		}
		if r.o.Log == nil {
			return nil
		}
		e := r.o.Entry
		e.Action, e.Object, e.Result = "user.add", "user:"+a.Username, audit.OK
		e.Detail = fmt.Sprintf("role=%s org=%d team_member=%d; one-time password; import of %s", w.role, w.grids[0].id, w.p.id, r.o.Name)
		return r.o.Log.RecordTx(ctx, r.tx, e)
	})
	if refused != nil {
		r.refuse(w.p.rec, refused, accountColumns)
		return err
	}
	if err == nil {
		a.Password = pw
	}
	return err
}
