package gen

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"wanhu/internal/calendar"
	"wanhu/internal/household"
	"wanhu/internal/org"
	"wanhu/internal/request"
	"wanhu/internal/store"
)

// The departments Dongxing's requests were referred to (部门转办): the
// fitness equipment came from demoDepartment, the stray dogs went to the
// city management bureau, the chargers were the power company's.
const (
	cityManagement = "区城市管理局"
	powerCompany   = "国网西宁供电公司"
)

// Dongxing's figures of the article: 39 requests, all resolved and closed;
// the 20 car owners called back after the chargers, 19 satisfied.
const (
	DongxingRequests          = 39
	DongxingChargerOwners     = 20
	DongxingChargersSatisfied = 19
)

// demoRequest is one request of the article's story.
type demoRequest struct {
	day       int           // days after the first request
	at        time.Duration // time of day it came in (China time)
	compound  string
	category  string
	channel   string
	text      string
	urgency   string
	dept      string        // referred to, or "" (the community handles it)
	accept    time.Duration // after submission
	resolve   time.Duration // after acceptance
	note      string        // the resolution, also its public reply (written for the public)
	result    string
	extension int // working days a department asked for and got
}

const hour, mins = time.Hour, time.Minute

// dongxingStory are the requests other than the chargers, from the article
// where it tells them.
var dongxingStory = []demoRequest{
	{0, 9*hour + 40*mins, "一化小区", "sanitation", "visit", "王大爷家下水道又堵了，污水流了一地", request.Urgent, "", 30 * mins, 4 * hour, "物业疏通下水道，清理了地面污水", request.Satisfied, 0},
	{6, 16 * hour, "城馨丽锦小区", "repairs", "visit", "独居老人李奶奶家灯坏了、水龙头漏水，行动不便一直没修", request.General, "", hour, 20 * hour, "联系电工、水管工上门换灯修龙头，并为老人申请临时救助", request.Satisfied, 0},
	{13, 10 * hour, "一化小区", "sanitation", "grid_group", "一化小区化粪池堵塞，污水漫到楼门口", request.Urgent, "", 20 * mins, 5 * hour, "半小时内联系吸污车，当天清掏疏通", request.Satisfied, 0},
	{20, 15 * hour, "东府嘉和小区", "fitness_equipment", "talk_room", "小区里没有健身器材，居民盼增设", request.General, demoDepartment, 2 * hour, 40 * hour, "区文体旅游科技局送来13件健身器材并安装完毕", request.Satisfied, 0},
	{27, 2*hour + 10*mins, "一化小区", "water_supply", "hotline", "独居老人乔大爷家凌晨暖气漏水", request.Urgent, "", 5 * mins, hour, "社区干部和维修人员10分钟内赶到，关阀更换管件", request.Satisfied, 0},
	{35, 11 * hour, "东府嘉和小区", "fitness_equipment", "grid_group", "群里反映健身器材坏了", request.General, "", 2 * hour, 22 * hour, "网格员当天核实，次日修好", request.Satisfied, 0},
	{41, 10*hour + 30*mins, "城馨丽锦小区", "environment", "talk_room", "小区流浪狗多，晚上不敢出门", request.General, cityManagement, 3 * hour, 45 * hour, "城管部门将流浪狗送往收容站", request.Satisfied, 0},
	{48, 21 * hour, "一化小区", "safety", "walk_in", "夜间巡查发现井盖松动", request.Urgent, "", 10 * mins, 2 * hour, "物业当晚加固井盖，设置警示", request.Satisfied, 0},
	{55, 9 * hour, "城馨丽锦小区", "neighbour_dispute", "talk_room", "楼上楼下因漏水起争执", request.General, "", 2 * hour, 30 * hour, "乐居义务调解队上门调解，双方达成一致", request.BasicallySatisfied, 0},
	{62, 14 * hour, "一化小区", "repairs", "visit", "家里窗户关不严，冬天冷", request.General, "", 3 * hour, 28 * hour, "物业上门修好窗户", request.Satisfied, 0},
	{69, 10 * hour, "东府嘉和小区", "other", "visit", "希望多搞民族团结活动", request.General, "", 4 * hour, 44 * hour, "策划“石榴籽邻里节”，各族居民一起做月饼、包粽子", request.Satisfied, 0},
	{76, 20*hour + 30*mins, "城馨丽锦小区", "safety", "walk_in", "“白+黑”排查发现消防通道堆放杂物", request.Urgent, "", 10 * mins, 3 * hour, "通知住户清走杂物，通道已畅通", request.Satisfied, 0},
	{83, 9*hour + 30*mins, "一化小区", "elderly_care", "walk_in", "老人不会用手机缴医保", request.General, "", 30 * mins, 2 * hour, "上门帮老人在手机上缴费", request.Satisfied, 0},
	{90, 15 * hour, "东府嘉和小区", "parking", "grid_group", "车辆乱停堵住单元门", request.General, "", 2 * hour, 26 * hour, "物业划线并张贴停车提示", request.BasicallySatisfied, 0},
	{97, 8 * hour, "一化小区", "water_supply", "hotline", "老旧管道漏水，楼道积水", request.Urgent, "", 15 * mins, 6 * hour, "物业懂维修、镇干部协调资金、网格员组织居民，当天换管", request.Satisfied, 0},
	{104, 11 * hour, "城馨丽锦小区", "environment", "grid_group", "垃圾清运不及时", request.General, "", hour, 24 * hour, "协调环卫增加清运次数", request.Satisfied, 0},
	{111, 19 * hour, "东府嘉和小区", "safety", "walk_in", "周末排查发现河道护栏松动", request.Urgent, "", 15 * mins, 3 * hour, "当晚加固护栏", request.Satisfied, 0},
	{118, 10 * hour, "城馨丽锦小区", "elderly_care", "visit", "独居老人想要助餐服务", request.General, "", 3 * hour, 46 * hour, "联系社区老年食堂送餐上门", request.Satisfied, 0},
	{125, 16 * hour, "一化小区", "repairs", "grid_group", "楼道灯不亮", request.General, "", hour, 20 * hour, "物业更换楼道灯", request.Satisfied, 0},
}

// chargers are the 20 car owners of 东府嘉和小区 who asked for chargers,
// from day chargerDay on; the power company asked for more time to build
// them and resolved all on one day; one owner still wants more.
const chargerDay = 130

func chargers(r *rand.Rand) []demoRequest {
	channels := []string{"visit", "grid_group", "talk_room", "grid_group"}
	texts := []string{"新能源汽车充电难，希望小区装充电桩", "小区没有充电桩，只能去外面充电", "想在车棚装充电桩"}
	out := make([]demoRequest, DongxingChargerOwners)
	for i := range out {
		result := request.Satisfied
		switch {
		case i == DongxingChargerOwners-1:
			result = request.Dissatisfied
		case i%5 == 3:
			result = request.BasicallySatisfied
		}
		out[i] = demoRequest{chargerDay + i/2, 9*hour + time.Duration(r.IntN(10*60))*mins, "东府嘉和小区", "ev_charging", channels[i%len(channels)],
			texts[i%len(texts)], request.General, powerCompany, 20 * hour, 0, "增设17组204个插口的充电桩及车棚", result, 15}
	}
	return out
}

// dongxingRequests writes the article's 39 requests of community through
// the request store, so their timelines are the state machine's, ending
// about a week before Today. Their messages were sent back then, so the
// outbox does not keep them.
func (g *generator) dongxingRequests(ctx context.Context, db *store.DB, communityID int64) error {
	r := rand.New(rand.NewPCG(uint64(g.o.Seed), 0x5245_5155_4553_54)) // "REQUEST"
	community, err := org.UnitByID(ctx, db, communityID)
	if err != nil {
		return err
	}
	depts := map[string]int64{}
	for _, name := range []string{demoDepartment, cityManagement, powerCompany} {
		if depts[name], err = departmentNamed(ctx, db, community, name); err != nil {
			return err
		}
	}
	var clock time.Time
	files := household.NewStore(db)
	files.SetClock(func() time.Time { return clock })
	rs := request.NewStore(db, files)
	rs.SetClock(func() time.Time { return clock })
	all := append(append([]demoRequest{}, dongxingStory...), chargers(r)...)
	// The first request came in some five months before Today; the
	// chargers were built on one day three weeks after the first owner
	// asked, and the last callback was some ten days before Today.
	first := g.today.Time().AddDate(0, 0, -(chargerDay + 32))
	first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, calendar.China)
	built := first.AddDate(0, 0, chargerDay+21).Add(15 * hour)
	used := map[int64]bool{}
	for i, d := range all {
		hh, err := storyHousehold(ctx, db, r, communityID, d, used)
		if err != nil {
			return err
		}
		actor := household.Actor{Name: map[string]string{"visit": "走访队员", "grid_group": "网格员", "hotline": "热线值班员",
			"talk_room": "冯晓霞", "walk_in": "社区值班人员"}[d.channel]}
		community := household.Actor{Name: "冯晓霞"}
		clock = first.AddDate(0, 0, d.day).Add(d.at)
		req, err := rs.Submit(ctx, actor, request.Input{Category: d.category, Description: d.text, Channel: d.channel, HouseholdID: hh})
		if err != nil {
			return fmt.Errorf("demo request %d: %w", i+1, err)
		}
		handling := request.Community
		if d.dept != "" {
			handling = request.Referred
		}
		handler := household.Actor{Name: d.dept}
		if d.dept == "" {
			handler = household.Actor{Name: "网格长"}
		}
		clock = clock.Add(d.accept)
		type step struct {
			who household.Actor
			c   request.Change
		}
		steps := []step{{community, request.Change{Action: request.Accept, Urgency: d.urgency, Handling: handling, DepartmentID: depts[d.dept]}}}
		if d.extension > 0 {
			steps = append(steps, step{handler, request.Change{Action: request.AskExtension, Days: d.extension, Note: "充电桩及车棚需施工安装"}},
				step{community, request.Change{Action: request.ApproveExtension}})
		}
		for _, s := range steps {
			if _, err := rs.Apply(ctx, s.who, req.ID, s.c); err != nil {
				return fmt.Errorf("demo request %d: %s: %w", i+1, s.c.Action, err)
			}
			clock = clock.Add(10 * mins)
		}
		if err := arrive(ctx, rs, req, d); err != nil {
			return fmt.Errorf("demo request %d: arrive: %w", i+1, err)
		}
		clock = clock.Add(d.resolve)
		if d.category == "ev_charging" {
			clock = built
		}
		if _, err := rs.Apply(ctx, handler, req.ID, request.Change{Action: request.Resolve, Note: d.note, PublicNote: d.note}); err != nil {
			return fmt.Errorf("demo request %d: resolve: %w", i+1, err)
		}
		clock = time.Date(clock.Year(), clock.Month(), clock.Day()+1, 10, r.IntN(60), 0, 0, calendar.China)
		back := request.Change{Action: request.Callback, Method: "phone", Result: d.result, Note: "电话回访"}
		if d.result == request.Dissatisfied {
			back.Note, back.Reason, back.FollowUp = "希望多装几个", "not_solved", &household.Need{Kind: "other", Note: "希望小区多装几个充电桩"}
		}
		if _, err := rs.Apply(ctx, community, req.ID, back); err != nil {
			return fmt.Errorf("demo request %d: callback: %w", i+1, err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE requests SET tracking_code = ? WHERE id = ?`, demoTrackingCode(r), req.ID); err != nil {
			return err
		}
	}
	_, err = db.ExecContext(ctx, `DELETE FROM outbox WHERE kind LIKE 'request.%'`)
	return err
}

// demoTrackingCode is a tracking code drawn from r, so the same seed gives
// the same codes.
func demoTrackingCode(r *rand.Rand) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// storyResidents are the living-alone elderly the story's requests name:
// how the request calls them and their name on file (see households.go).
var storyResidents = []struct{ called, name string }{{"李奶奶", "李秀英"}, {"乔大爷", "乔德明"}}

// storyHousehold is the household of the resident request d names, when
// the demo has them, or else one demoHousehold picks.
func storyHousehold(ctx context.Context, db *store.DB, r *rand.Rand, communityID int64, d demoRequest, used map[int64]bool) (int64, error) {
	for _, x := range storyResidents {
		if !strings.Contains(d.text, x.called) {
			continue
		}
		hh, _, err := storyElder(ctx, db, communityID, x.name, d.compound)
		if err != nil {
			return 0, err
		}
		if hh != 0 && !used[hh] {
			used[hh] = true
			return hh, nil
		}
	}
	return demoHousehold(ctx, db, r, communityID, d.compound, used)
}

// demoHousehold picks a household of the compound not picked before, or
// else of the community.
func demoHousehold(ctx context.Context, db *store.DB, r *rand.Rand, communityID int64, compound string, used map[int64]bool) (int64, error) {
	for _, op := range []string{"=", "<>"} {
		rows, err := db.QueryContext(ctx, demoHouseholdSQL(op), communityID, compound)
		if err != nil {
			return 0, err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return 0, err
			}
			if !used[id] {
				ids = append(ids, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if len(ids) > 0 {
			id := ids[r.IntN(len(ids))]
			used[id] = true
			return id, nil
		}
	}
	return 0, fmt.Errorf("no household left in community %d for a demo request", communityID)
}

// demoHouseholdSQL selects the households, in id order, of the
// community's compounds named (op "=") or not named (op "<>") a name.
// It goes through the buildings, whose households an index finds (a
// generated household of a compound is in one of its buildings), and sorts
// by "+h.id" so that SQLite does not read the whole city's households in
// id order to skip the sort: 72 s for Dongxing's 39 requests in a city of
// a million.
func demoHouseholdSQL(op string) string {
	return `SELECT h.id FROM compounds c JOIN buildings b ON b.compound_id = c.id
		JOIN households h ON h.building_id = b.id AND h.compound_id = c.id
		WHERE c.community_id = ? AND c.name ` + op + ` ? ORDER BY +h.id`
}

// departmentNamed returns the id of the department name under the
// community's district, creating it if absent.
func departmentNamed(ctx context.Context, db *store.DB, community org.Unit, name string) (int64, error) {
	street, err := org.UnitByID(ctx, db, community.ParentID)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM org_units WHERE kind = 'department' AND name = ? AND parent_id = ?`, name, street.ParentID).Scan(&id); err == nil {
		return id, nil
	}
	d := org.Unit{Kind: org.Department, ParentID: street.ParentID, Name: name}
	if err := org.CreateUnit(ctx, db, &d); err != nil {
		return 0, err
	}
	// As old as the community, so the same seed gives the same rows.
	_, err = db.ExecContext(ctx, `UPDATE org_units SET created_at = (SELECT created_at FROM org_units WHERE id = ?) WHERE id = ?`, community.ID, d.ID)
	return d.ID, err
}
