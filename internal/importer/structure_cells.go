package importer

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"wanhu/internal/apperr"
	"wanhu/internal/org"
)

// The cells of a structure workbook as clerks fill them in: roles by
// their everyday names, languages and visiting times in words, buildings
// as lists and ranges, rooms as ranges. Each function reads one cell and
// returns an *apperr.FieldError for what it cannot read, never guessing.

// teamRoleNames are the names a role goes by in a team sheet. 网格长 is
// read apart (readTeamRole): a community cadre who leads a grid.
var teamRoleNames = map[string]org.Role{
	"社区干部": org.RoleCommunityStaff, "社区工作人员": org.RoleCommunityStaff, "社区工作者": org.RoleCommunityStaff,
	"社区两委": org.RoleCommunityStaff, "两委成员": org.RoleCommunityStaff, "社区书记": org.RoleCommunityStaff,
	"社区主任": org.RoleCommunityStaff, "社工": org.RoleCommunityStaff,
	"网格员": org.RoleGridWorker, "专职网格员": org.RoleGridWorker, "兼职网格员": org.RoleGridWorker,
	"网格管理员": org.RoleGridWorker, "网格工作人员": org.RoleGridWorker, "网格信息员": org.RoleGridWorker,
	"下沉干部": org.RoleSunkCadre, "下沉党员干部": org.RoleSunkCadre, "机关下沉干部": org.RoleSunkCadre,
	"警务副书记": org.RolePoliceDeputy, "兼职副书记": org.RolePoliceDeputy, "社区民警": org.RolePoliceDeputy,
	"驻社区民警": org.RolePoliceDeputy, "民警": org.RolePoliceDeputy, "片警": org.RolePoliceDeputy,
	"楼栋长": org.RoleBuildingHead, "楼长": org.RoleBuildingHead, "单元长": org.RoleBuildingHead,
	"党员": org.RolePartyMember, "在职党员": org.RolePartyMember, "报到党员": org.RolePartyMember,
	"物业": org.RolePropertyStaff, "物业人员": org.RolePropertyStaff, "物业工作人员": org.RolePropertyStaff, "物业管理员": org.RolePropertyStaff,
	"志愿者": org.RoleVolunteer, "社区志愿者": org.RoleVolunteer,
}

// leaderRoleNames name a grid leader (网格长) in a team sheet.
var leaderRoleNames = []string{"网格长", "网格负责人"}

// readTeamRole reads a role cell: a team role by its name or code, and
// whether it names a grid leader (who is a community cadre, leading the
// grid of the row).
func readTeamRole(s string) (role org.Role, leader bool, err error) {
	s = strings.ReplaceAll(cleanCode(s), " ", "")
	if slices.Contains(leaderRoleNames, s) {
		return org.RoleCommunityStaff, true, nil
	}
	if r, ok := teamRoleNames[s]; ok {
		return r, false, nil
	}
	if slices.Contains(org.Roles, org.Role(strings.ToLower(s))) {
		return org.Role(strings.ToLower(s)), false, nil
	}
	if s == "" {
		return "", false, apperr.Field("role", "required", "is required")
	}
	return "", false, apperr.Field("role", "team_role", "%q is not a role of the team (网格长, 网格员, 社区干部, 下沉干部, 警务副书记, 楼栋长, 党员, 物业, 志愿者)", s)
}

// languageNames are the languages of a team member by name (Mandarin and
// the local dialects, which everyone speaks, are left out).
var languageNames = map[string]string{
	"藏语": "bo", "藏文": "bo", "藏族语": "bo", "安多藏语": "bo", "康巴藏语": "bo", "藏": "bo",
	"蒙古语": "mn", "蒙语": "mn", "蒙文": "mn",
	"维吾尔语": "ug", "维语": "ug",
	"手语": "sign",
	"英语": "en", "英文": "en", "english": "en",
	"其他": "other", "其它": "other",
	"普通话": "", "汉语": "", "中文": "", "国语": "", "方言": "", "青海话": "", "西宁话": "",
}

// readLanguages reads a cell of languages ("普通话、藏语"): the codes of
// org.Languages. Another language named as one (撒拉语, 土族话) is "other".
func readLanguages(s string) ([]string, error) {
	out := []string{}
	for _, item := range splitCell(s) {
		l := strings.ToLower(strings.ReplaceAll(item, " ", ""))
		code, ok := languageNames[l]
		switch {
		case ok:
		case slices.Contains(org.Languages, l):
			code = l
		case strings.HasSuffix(l, "语") || strings.HasSuffix(l, "话") || strings.HasSuffix(l, "文"):
			code = "other"
		default:
			return nil, apperr.Field("languages", "team_language", "%q is not a language (藏语, 蒙古语, 维吾尔语, 手语, 英语 …)", item)
		}
		if code != "" && !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	return out, nil
}

// availabilityWords are the words of each time to visit; anyTime those
// of all of them.
var (
	availabilityWords = []struct {
		code  string
		words *regexp.Regexp
	}{
		{"evening", regexp.MustCompile(`晚|夜|下班后|傍晚`)},
		{"weekend", regexp.MustCompile(`周末|双休|休息日|节假日|星期六|星期日|周六|周日`)},
		{"daytime", regexp.MustCompile(`白天|日间|上午|下午|工作日|上班时间`)},
	}
	anyTime = regexp.MustCompile(`随时|全天|均可|都可|不限`)
)

// readAvailability reads when a member can visit ("工作日白天、晚上",
// "周末", "随时"): the codes of org.Availabilities, in their order.
func readAvailability(s string) ([]string, error) {
	has := map[string]bool{}
	for _, item := range splitCell(s) {
		n := 0
		for _, w := range availabilityWords {
			if w.words.MatchString(item) {
				has[w.code] = true
				n++
			}
		}
		switch {
		case anyTime.MatchString(item):
			for _, a := range org.Availabilities {
				has[a] = true
			}
		case slices.Contains(org.Availabilities, strings.ToLower(item)):
			has[strings.ToLower(item)] = true
		case n == 0:
			return nil, apperr.Field("availability", "team_availability", "%q is not a time to visit (工作日白天, 晚上, 周末, 随时)", item)
		}
	}
	out := []string{}
	for _, a := range org.Availabilities {
		if has[a] {
			out = append(out, a)
		}
	}
	return out, nil
}

// buildingRange matches a range of buildings: "1-6号楼", "1号楼-6号楼",
// "3~5栋", "1至4幢".
var buildingRange = regexp.MustCompile(`^第?(\d+)\s*(号楼|号|栋|幢|楼|座|#)?\s*[-~至到—–]\s*第?(\d+)\s*(号楼|号|栋|幢|楼|座|#)?$`)

// maxBuildingRange is the most buildings a range may name.
const maxBuildingRange = 100

// readBuildings reads a building cell: one building, a list ("1号楼、3号楼")
// or a range ("1-6号楼", each then named with the range's word, 号楼 by
// default).
func readBuildings(s string) ([]string, error) {
	var out []string
	for _, item := range splitCell(s) {
		m := buildingRange.FindStringSubmatch(strings.ReplaceAll(item, " ", ""))
		if m == nil {
			out = append(out, item)
			continue
		}
		from, _ := strconv.Atoi(m[1])
		to, _ := strconv.Atoi(m[3])
		if from > to || to-from >= maxBuildingRange {
			return nil, apperr.Field("building", "building_range", "%q is not a range of buildings (from 1 to %d at most, as 1-6号楼)", item, maxBuildingRange)
		}
		word := m[4]
		if word == "" {
			word = m[2]
		}
		if word == "" || word == "号" {
			word = "号楼"
		}
		for n := from; n <= to; n++ {
			out = append(out, strconv.Itoa(n)+word)
		}
	}
	return out, nil
}

// roomRange matches a range of rooms ("101-2602"), or one room.
var roomRange = regexp.MustCompile(`^(\d{1,6})[A-Za-z]?(?:\s*[-~至到—–]\s*(\d{1,6})[A-Za-z]?)?$`)

// wholeBuilding are the words for all the rooms of a building.
var wholeBuilding = []string{"全部", "整栋", "全栋", "整幢", "全楼", "所有"}

// readRooms checks a cell of room ranges ("101-1302", "101-602、701-1302",
// "全部"): rooms from a lower number to a higher one.
func readRooms(s string) error {
	for _, item := range splitCell(s) {
		item = zeros(strings.ReplaceAll(item, " ", ""))
		if slices.Contains(wholeBuilding, item) {
			continue
		}
		m := roomRange.FindStringSubmatch(item)
		if m == nil {
			return apperr.Field("room_range", "room_range", "%q is not a range of rooms (101-2602), nor 全部", item)
		}
		if m[2] != "" {
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			if a > b {
				return apperr.Field("room_range", "room_range", "%q is not a range of rooms (101-2602), nor 全部", item)
			}
		}
	}
	return nil
}
