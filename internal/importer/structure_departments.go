package importer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
)

// departmentColumns maps the fields of a department's FieldError to
// columns.
var departmentColumns = map[string]Field{"name": Department, "phone": Phone, "parent_id": Parent, "code": Department}

// departments creates the departments of the departments sheet under
// their parent (上级: a city, district or street above the community, or
// one the importer administers; the community's street when empty), and
// updates the phone of those that exist. A department is one of the same
// name under the same parent. Only an administrator of the parent adds or
// changes its departments: a community's administrator may list those
// that exist, unchanged, but not add one.
func (r *structRun) departments(ctx context.Context) error {
	if len(r.deptRows) == 0 {
		return nil
	}
	above, err := r.above(ctx)
	if err != nil {
		return err
	}
	depts, err := org.Units(ctx, r.tx, org.Department)
	if err != nil {
		return err
	}
	seen := map[string]*record{}
	for _, rec := range r.deptRows {
		name := rec.text(Department)
		if name == "" {
			r.problem(r.at(rec, Department, "required", "is required"))
			continue
		}
		parent, ok, err := r.parentOf(ctx, rec.text(Parent), above)
		if err != nil {
			return err
		}
		if !ok {
			r.problem(r.at(rec, Parent, "parent_unknown", "no city, district or street %q above this community", rec.text(Parent)))
			continue
		}
		key := strconv.FormatInt(parent.ID, 10) + "\x00" + name
		if first, dup := seen[key]; dup {
			r.problem(r.at(rec, Department, "department_duplicate", "%s is on row %d already", name, first.row))
			continue
		}
		seen[key] = rec
		phone, err := readPhone("phone", rec.raw(Phone))
		if err != nil {
			r.cellError(rec, Phone, err)
			continue
		}
		i := slices.IndexFunc(depts, func(d org.Unit) bool { return d.ParentID == parent.ID && d.Name == name })
		if err := r.applyDepartment(ctx, rec, parent, name, phone, depts, i); err != nil {
			return err
		}
	}
	return nil
}

// applyDepartment creates the department, or updates depts[i]'s phone
// when the sheet has a phone column.
func (r *structRun) applyDepartment(ctx context.Context, rec *record, parent org.Unit, name, phone string, depts []org.Unit, i int) error {
	if i >= 0 && (!rec.t.has(Phone) || depts[i].Phone == phone) {
		r.rep.Departments.Unchanged++
		return nil
	}
	var refused, err error
	if i >= 0 {
		refused, err = r.savepoint(ctx, func() error {
			_, err := r.st.ChangeUnit(ctx, depts[i].ID, org.UnitChange{Phone: &phone})
			return err
		})
	} else {
		u := org.Unit{Kind: org.Department, ParentID: parent.ID, Name: name, Phone: phone}
		refused, err = r.savepoint(ctx, func() error { return r.st.CreateUnit(ctx, &u) })
	}
	if err != nil {
		return err
	}
	fe, _ := apperr.AsField(refused)
	switch {
	case errors.Is(refused, apperr.ErrNotFound) || fe != nil && fe.Field == "parent_id" && fe.Code == "not_found":
		r.problem(r.at(rec, Parent, "department_scope", "only an administrator of %s adds or changes its departments", parent.Name))
	case refused != nil:
		r.refuse(rec, refused, departmentColumns)
	case i >= 0:
		r.rep.Departments.Updated++
	default:
		r.rep.Departments.Created++
	}
	return nil
}

// above returns the city, district and street above the community,
// nearest first.
func (r *structRun) above(ctx context.Context) ([]org.Unit, error) {
	ids := strings.Split(strings.Trim(r.community.Path, "/"), "/")
	var out []org.Unit
	for i := len(ids) - 2; i >= 0; i-- {
		id, err := strconv.ParseInt(ids[i], 10, 64)
		if err != nil {
			return nil, err
		}
		u, err := org.UnitByID(ctx, r.tx, id)
		if err != nil {
			return nil, err
		}
		if slices.Contains(org.ParentKinds(org.Department), u.Kind) {
			out = append(out, u)
		}
	}
	return out, nil
}

// parentOf returns the unit a department's 上级 names: one of the units
// above the community (the nearest when empty), else a city, district or
// street of that name that the importer administers.
func (r *structRun) parentOf(ctx context.Context, name string, above []org.Unit) (org.Unit, bool, error) {
	if name == "" {
		return firstUnit(above), len(above) > 0, nil
	}
	for _, u := range above {
		if u.Name == name {
			return u, true, nil
		}
	}
	var found []org.Unit
	for _, k := range org.ParentKinds(org.Department) {
		us, err := org.Units(ctx, r.tx, k)
		if err != nil {
			return org.Unit{}, false, err
		}
		for _, u := range us {
			if u.Name == name && r.o.Scope.Administers(u.Path) {
				found = append(found, u)
			}
		}
	}
	if len(found) == 1 {
		return found[0], true, nil
	}
	return org.Unit{}, false, nil
}

// firstUnit returns us[0], or the zero Unit.
func firstUnit(us []org.Unit) org.Unit {
	if len(us) == 0 {
		return org.Unit{}
	}
	return us[0]
}
