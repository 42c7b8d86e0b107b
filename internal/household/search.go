package household

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"

	"wanhu/internal/pii"
	"wanhu/internal/secret"
	"wanhu/internal/store"
)

// A household search (Filter.Q) is read as what people type into a phone's
// contact list or onto a form:
//
//   - a whole phone or ID number: its keyed hash (see sealed.go);
//   - four digits: the last four digits of a household's or member's phone,
//     through the keyed hash of those digits (phone_tail_hash), or a part
//     of an address;
//   - Latin letters: the start of a name in pinyin, whole ("wangxiulan",
//     "wang xiu lan") or by initials ("wxl"), through persons.name_pinyin
//     and persons.name_initials;
//   - an address: compound, building, unit and room, with or without spaces
//     ("一化小区3号楼2单元201", "3-2-201", "3栋");
//   - anything else: the start of a member's or shop's name.

// hashPhoneTail is the hash kind of the last four digits of a phone.
const hashPhoneTail = "phone_tail"

// phoneTail returns the last four digits of a phone when its mask
// (pii.MaskPhone) shows them, as it does for a mobile number, else "".
// A search by them then tells a reader nothing the list does not: for a
// landline, whose mask shows only two, it would reveal two more digits a
// hundred guesses at a time.
func phoneTail(phone string) string {
	d := normPhone(phone)
	if len(d) < 4 {
		return ""
	}
	tail := d[len(d)-4:]
	if !strings.HasSuffix(pii.MaskPhone(phone), tail) {
		return ""
	}
	return tail
}

// PhoneTailHash returns the stored search hash of the last four digits of
// a phone, NULL when there are none to find it by (see phoneTail).
func PhoneTailHash(k *secret.Keyring, phone string) any {
	return nullString(k.Hash(hashPhoneTail, phoneTail(phone)))
}

// pinyinArgs reads each character in its first (most common) reading, in
// lower case without tones; characters that are not Chinese are dropped
// (NamePinyin keeps Latin letters and digits itself).
var pinyinArgs = pinyin.NewArgs()

// NamePinyin returns the pinyin of a name without tones or spaces
// ("wangxiulan") and its initials ("wxl"). A polyphonic character takes
// its most common reading (单 is "dan", not the surname's "shan"). Latin
// letters and digits are kept in lower case, each word giving its first
// letter to the initials; other characters (the middle dot of 阿依古丽·买买提)
// are left out.
func NamePinyin(name string) (full, initials string) {
	var f, in strings.Builder
	word := false
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			word = false
			ps := pinyin.SinglePinyin(r, pinyinArgs)
			if len(ps) == 0 || ps[0] == "" {
				continue
			}
			f.WriteString(ps[0])
			in.WriteByte(ps[0][0])
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			r = unicode.ToLower(r)
			f.WriteRune(r)
			if !word {
				in.WriteRune(r)
			}
			word = true
		default:
			word = false
		}
	}
	return f.String(), in.String()
}

// pinyinQuery returns q as a pinyin search (lower case, without spaces or
// apostrophes) when it is made of Latin letters, else "".
func pinyinQuery(q string) string {
	var b strings.Builder
	for _, r := range q {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == ' ' || r == '\'':
		default:
			return ""
		}
	}
	return b.String()
}

// compact returns q with full-width letters, digits and signs made ASCII,
// dashes made "-" and spaces removed: the form addresses are compared in.
func compact(q string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == '—' || r == '–' || r == '―' || r == '－':
			r = '-'
		}
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, q)
}

// placeQuery is an address query read into its parts.
type placeQuery struct {
	compound, building, unit, room string
}

var (
	// placeDashed is building-unit-room ("3-2-201") or building-room
	// ("3-201"), after an optional compound.
	placeDashed = regexp.MustCompile(`^(.*?)([0-9]+|[A-Za-z])-([0-9]+)(?:-([0-9]+))?(?:室|号)?$`)
	// placeNamed is "3号楼2单元201室" with any part left out, after an
	// optional compound; 栋, 幢, 座, 号 and # stand for 号楼.
	placeNamed = regexp.MustCompile(`^(.*?)(?:([0-9]+|[A-Za-z])(?:号楼|栋|幢|座|号|#))?(?:([0-9]+)单元)?(?:([0-9]+)(?:室|号)?)?$`)
)

// parsePlace reads a compacted address query into its parts; ok is false
// when it names neither a building nor a unit.
func parsePlace(q string) (p placeQuery, ok bool) {
	if m := placeDashed.FindStringSubmatch(q); m != nil {
		p = placeQuery{compound: m[1], building: m[2], unit: m[3], room: m[4]}
		if m[4] == "" {
			p.unit, p.room = "", m[3]
		}
	} else if m := placeNamed.FindStringSubmatch(q); m != nil {
		p = placeQuery{compound: m[1], building: m[2], unit: m[3], room: m[4]}
	}
	if p.building == "" && p.unit == "" {
		return placeQuery{}, false
	}
	p.building = strings.ToUpper(p.building)
	p.compound = strings.TrimSuffix(p.compound, "小区")
	return p, true
}

// buildingNames are the names a building numbered n may bear.
func buildingNames(n string) []string {
	return []string{n + "号楼", n + "栋", n + "幢", n + "座", n + "号", n + "#", n}
}

// search is a household search read into SQL. exact is the condition a
// household must meet, checked household by household (a member's
// conditions in a correlated subquery, so nothing is gathered for the
// whole city first). drive are SELECTs of household ids ("id") from
// indexes whose union holds every household exact selects, and maybe
// more: a plan (searchplan.go) starts from them when they are few. A
// search that no index serves (a part of an address shorter than a
// trigram, on its own) has no drive.
type search struct {
	exact     string
	exactArgs []any
	drive     []sqlPart
	// driveExact says the drive holds only households exact selects (a
	// name's, a number's), so those it found need no second check.
	driveExact bool
}

// sqlPart is a piece of SQL and its arguments.
type sqlPart struct {
	sql  string
	args []any
}

// or returns the search that selects what s or t selects.
func (s search) or(t search) search {
	out := search{exact: "(" + s.exact + " OR " + t.exact + ")", exactArgs: append(slices.Clip(s.exactArgs), t.exactArgs...),
		driveExact: s.driveExact && t.driveExact}
	if s.drive != nil && t.drive != nil {
		out.drive = append(slices.Clip(s.drive), t.drive...)
	}
	return out
}

// driveSQL is the union of s's drive.
func (s search) driveSQL() (string, []any) {
	var b strings.Builder
	var args []any
	for i, p := range s.drive {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString(p.sql)
		args = append(args, p.args...)
	}
	return b.String(), args
}

// personsWhere is the exact condition "a member of the household meets
// cond" (on the alias p). It is a scalar subquery rather than EXISTS
// because PostgreSQL may turn an EXISTS under OR into a hash of every
// member that meets cond (all 35,000 王 of a city, to check the first few
// hundred households of a walk); a scalar subquery is asked household by
// household, through persons_household, on both engines. cond is asked
// as "IS TRUE", which no index serves: otherwise PostgreSQL took a rare
// name's range of persons_name (name, household_id) for each household,
// reading the city's 2,000 王伟 once per household of a community's
// scope (1 s instead of 30 ms at a million households).
func personsWhere(cond string) string {
	return `(SELECT 1 FROM persons p WHERE p.household_id = h.id AND (` + cond + `) IS TRUE LIMIT 1) IS NOT NULL`
}

// minTrigram is the shortest text a trigram index finds (SQLite's FTS5
// trigram tokenizer and PostgreSQL's pg_trgm cut text into runs of three
// characters).
const minTrigram = 3

// looseDrive is the drive of "the address, without spaces, holds c":
// on SQLite the full-text table household_addresses, on PostgreSQL the
// trigram index households_address_trgm (migration 00033). orphans says
// only households outside any building are sought: a text too short for
// the trigrams is then looked for among them alone, which
// households_place finds; otherwise it has no drive (nil).
func looseDrive(d store.Dialect, c, pattern string, orphans bool) []sqlPart {
	switch {
	case utf8.RuneCountInString(c) < minTrigram:
		if !orphans {
			return nil
		}
		return []sqlPart{{`SELECT h.id AS id FROM households h WHERE h.building_id IS NULL AND REPLACE(h.address, ' ', '') LIKE ? ESCAPE '\'`, []any{pattern}}}
	case d == store.Postgres:
		return []sqlPart{{`SELECT h.id AS id FROM households h WHERE REPLACE(h.address, ' ', '') LIKE ? ESCAPE '\'`, []any{pattern}}}
	default:
		// A phrase of the trigram tokenizer is a substring, its case
		// folded: more than LIKE finds (ASCII case only), which exact
		// then checks.
		return []sqlPart{{`SELECT rowid AS id FROM household_addresses WHERE household_addresses MATCH ?`, []any{`"` + strings.ReplaceAll(c, `"`, `""`) + `"`}}}
	}
}

// addressSearch is an address search. The address is compared without
// its spaces, so "一化小区3号楼" finds "一化小区 3号楼 …". A query that
// names a building or unit finds the households of the buildings it
// names by their parts (an index on building, unit and room), and among
// households outside any building those whose address holds it.
func addressSearch(d store.Dialect, q string) search {
	c := compact(q)
	pattern := "%" + escapeLike(c) + "%"
	loose := `REPLACE(h.address, ' ', '') LIKE ? ESCAPE '\'`
	p, ok := parsePlace(c)
	if !ok {
		return search{exact: loose, exactArgs: []any{pattern}, drive: looseDrive(d, c, pattern, false)}
	}
	var w []string
	var args []any
	sub := "" // the buildings named, if any
	switch {
	case p.building != "":
		names := buildingNames(p.building)
		in, a := inList(names)
		sub = `SELECT b.id FROM buildings b`
		cond := `b.name IN ` + in
		args = append(args, a...)
		if p.compound != "" {
			sub += ` JOIN compounds c ON c.id = b.compound_id`
			cond += ` AND c.name LIKE ? ESCAPE '\'`
			args = append(args, "%"+escapeLike(p.compound)+"%")
		}
		sub += ` WHERE ` + cond
	case p.compound != "":
		sub = `SELECT b.id FROM buildings b JOIN compounds c ON c.id = b.compound_id WHERE c.name LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(p.compound)+"%")
	}
	if sub != "" {
		w = append(w, `{lead}h.building_id IN (`+sub+`)`)
	}
	var inBuilding []string // the conditions within a building
	if p.unit != "" {
		inBuilding, args = append(inBuilding, `h.unit = ?`), append(args, p.unit)
	}
	if p.room != "" {
		inBuilding, args = append(inBuilding, `h.room = ?`), append(args, p.room)
	}
	w = append(w, inBuilding...)
	// The exact condition is written so that no index serves it ("+"):
	// else SQLite would read every household of every building it names
	// to check the few a drive found.
	placed := strings.Join(w, " AND ")
	s := search{
		exact:     `((` + strings.ReplaceAll(placed, "{lead}", "+") + `) OR (+h.building_id IS NULL AND ` + loose + `))`,
		exactArgs: append(slices.Clip(args), pattern),
	}
	if orphans := looseDrive(d, c, pattern, true); orphans != nil {
		drive := `SELECT h.id AS id FROM households h WHERE ` + strings.ReplaceAll(placed, "{lead}", "")
		if d == store.Postgres && sub != "" {
			drive = placeDrivePostgres(sub, inBuilding)
		}
		s.drive = append([]sqlPart{{drive, args}}, orphans...)
	}
	return s
}

// placeDrivePostgres is the drive of the households of the buildings sub
// selects that meet the conditions inBuilding (on alias h): each
// building's through households_place, one building after the other. As
// "h.building_id IN (sub)" PostgreSQL hashed the buildings and read the
// households in table order until the probe's LIMIT was met: for 3号楼 in
// a city of 200,000 households, 63,000 households read for the first
// 5,000 found (33 ms of the search's 59; 4 ms this way). OFFSET 0 keeps
// the subquery a subquery, asked once per building.
func placeDrivePostgres(sub string, inBuilding []string) string {
	cond := ""
	for _, c := range inBuilding {
		cond += ` AND ` + c
	}
	return `SELECT h.id AS id FROM (` + sub + `) b CROSS JOIN LATERAL (SELECT h.id FROM households h WHERE h.building_id = b.id` + cond + ` OFFSET 0) h`
}

// readSearch reads search q (trimmed, not empty) on an engine of dialect
// d, with k hashing the numbers in it.
func readSearch(d store.Dialect, k *secret.Keyring, q string) search {
	switch {
	case numberSearch(q) && isDigits(q):
		phone, id := PhoneHash(k, q), IDNumberHash(k, q)
		return search{
			exact:     `(h.phone_hash = ? OR ` + personsWhere(`p.phone_hash = ? OR p.id_number_hash = ?`) + `)`,
			exactArgs: []any{phone, phone, id},
			drive: []sqlPart{
				{`SELECT h.id AS id FROM households h WHERE h.phone_hash = ?`, []any{phone}},
				{`SELECT p.household_id AS id FROM persons p WHERE p.phone_hash = ?`, []any{phone}},
				{`SELECT p.household_id AS id FROM persons p WHERE p.id_number_hash = ?`, []any{id}},
			},
			driveExact: true,
		}
	case numberSearch(q):
		id := IDNumberHash(k, q)
		return search{
			exact:      personsWhere(`p.id_number_hash = ?`),
			exactArgs:  []any{id},
			drive:      []sqlPart{{`SELECT p.household_id AS id FROM persons p WHERE p.id_number_hash = ?`, []any{id}}},
			driveExact: true,
		}
	case len(q) == 4 && isDigits(q):
		tail := k.Hash(hashPhoneTail, q)
		phone := search{
			exact:     `(h.phone_tail_hash = ? OR ` + personsWhere(`p.phone_tail_hash = ?`) + `)`,
			exactArgs: []any{tail, tail},
			drive: []sqlPart{
				{`SELECT h.id AS id FROM households h WHERE h.phone_tail_hash = ?`, []any{tail}},
				{`SELECT p.household_id AS id FROM persons p WHERE p.phone_tail_hash = ?`, []any{tail}},
			},
			driveExact: true,
		}
		return phone.or(addressSearch(d, q))
	case looksLikeAddress(q):
		return addressSearch(d, q)
	}
	hi := q + "\U0010FFFF"
	names := []string{`p.name >= ? AND p.name < ?`}
	args := []any{q, hi}
	drive := []sqlPart{{`SELECT p.household_id AS id FROM persons p WHERE p.name >= ? AND p.name < ?`, []any{q, hi}}}
	if py := pinyinQuery(q); py != "" {
		pyHi := py + "\U0010FFFF"
		names = append(names, `p.name_initials >= ? AND p.name_initials < ?`, `p.name_pinyin >= ? AND p.name_pinyin < ?`)
		args = append(args, py, pyHi, py, pyHi)
		drive = append(drive,
			sqlPart{`SELECT p.household_id AS id FROM persons p WHERE p.name_initials >= ? AND p.name_initials < ?`, []any{py, pyHi}},
			sqlPart{`SELECT p.household_id AS id FROM persons p WHERE p.name_pinyin >= ? AND p.name_pinyin < ?`, []any{py, pyHi}})
	}
	drive = append(drive, sqlPart{`SELECT h.id AS id FROM households h WHERE h.shop_name >= ? AND h.shop_name < ?`, []any{q, hi}})
	return search{
		exact:      `(` + personsWhere(strings.Join(names, " OR ")) + ` OR (h.shop_name >= ? AND h.shop_name < ?))`,
		exactArgs:  append(args, q, hi),
		drive:      drive,
		driveExact: true,
	}
}

// searchForms is the setting that says every person and household has its
// search forms (name_pinyin, name_initials, phone_tail_hash).
const searchForms = "search_forms_filled"

// FillSearchForms derives the search forms of the persons and households
// written before they existed (their pinyin, the hash of their phone's last
// four digits), batch rows at a time, and then marks the database so later
// starts only look at the mark. It needs the keys, to open the phones, and
// returns how many rows it filled. Several servers may run it at once:
// they write the same values.
func FillSearchForms(ctx context.Context, db *store.DB, batch int) (int, error) {
	if done, err := doneOnce(ctx, db, searchForms); done || err != nil {
		return 0, err
	}
	keys := db.Keys()
	if keys == nil {
		return 0, secret.ErrNoKeys
	}
	if batch <= 0 {
		batch = 500
	}
	n, err := fillBatches(ctx, db, `SELECT id, name, phone FROM persons WHERE name_pinyin IS NULL AND id > ? ORDER BY id LIMIT ?`, batch,
		func(tx *store.Tx, id int64, name, phone string) error {
			full, initials := NamePinyin(name)
			_, err := tx.ExecContext(ctx, `UPDATE persons SET name_pinyin = ?, name_initials = ?, phone_tail_hash = ? WHERE id = ?`,
				full, initials, PhoneTailHash(keys, phone), id)
			return err
		})
	if err != nil {
		return n, fmt.Errorf("fill the search forms of persons: %w", err)
	}
	m, err := fillBatches(ctx, db, `SELECT id, '', phone FROM households WHERE phone <> '' AND phone_tail_hash IS NULL AND id > ? ORDER BY id LIMIT ?`, batch,
		func(tx *store.Tx, id int64, _, phone string) error {
			_, err := tx.ExecContext(ctx, `UPDATE households SET phone_tail_hash = ? WHERE id = ?`, PhoneTailHash(keys, phone), id)
			return err
		})
	n += m
	if err != nil {
		return n, fmt.Errorf("fill the search forms of households: %w", err)
	}
	return n, markDone(ctx, db, searchForms)
}

// fillBatches reads the rows (id, name, sealed phone) of query, which
// takes the last id seen and a limit, batch at a time, and calls fill on
// each with the phone opened, one transaction per batch.
func fillBatches(ctx context.Context, db *store.DB, query string, batch int, fill func(tx *store.Tx, id int64, name, phone string) error) (int, error) {
	keys := db.Keys()
	n, last := 0, int64(0)
	for {
		type row struct {
			id          int64
			name, phone string
		}
		rows, err := db.QueryContext(ctx, query, last, batch)
		if err != nil {
			return n, err
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name, &r.phone); err != nil {
				rows.Close()
				return n, err
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(todo) == 0 {
			return n, err
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for _, r := range todo {
				phone, err := keys.Open(r.phone)
				if err != nil {
					return fmt.Errorf("%d: phone: %w", r.id, err)
				}
				if err := fill(tx, r.id, r.name, phone); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n, last = n+len(todo), todo[len(todo)-1].id
	}
}
