package staff

import (
	"wanhu/internal/export"
)

// ScorecardColumns are the columns of a scorecard export (考评表).
var ScorecardColumns = []export.Column{
	{Header: "类别", Width: 8}, {Header: "队员编号", Width: 10}, {Header: "姓名", Width: 16}, {Header: "角色", Width: 14},
	{Header: "网格", Width: 14}, {Header: "本周走访", Width: 10}, {Header: "周目标", Width: 8}, {Header: "期间走访", Width: 10},
	{Header: "办结诉求", Width: 10}, {Header: "按期办结", Width: 10}, {Header: "按期率%", Width: 10}, {Header: "已回访", Width: 8},
	{Header: "满意", Width: 8}, {Header: "满意率%", Width: 10}, {Header: "投诉", Width: 8}, {Header: "表扬", Width: 8},
	{Header: "岗前培训", Width: 10}, {Header: "在岗学时", Width: 10}, {Header: "学时目标", Width: 10}, {Header: "服务时长", Width: 10},
	{Header: "时长目标", Width: 10}, {Header: "得分", Width: 8},
}

// RoleNames are the team roles in Chinese, for exports.
var RoleNames = map[string]string{"community_staff": "社区工作者", "grid_worker": "网格员", "sunk_cadre": "下沉干部",
	"police_deputy_secretary": "警格副书记", "building_head": "楼栋长", "party_member": "党员", "property_staff": "物业人员",
	"volunteer": "志愿者"}

// ReasonNames are the reasons of a dissatisfied callback in Chinese.
var ReasonNames = map[string]string{"slow": "慢", "not_solved": "未解决", "attitude": "态度", "wrong_department": "部门不对",
	"other": "其他", "": "未分类"}

// WriteScorecards writes the scorecards of rep as rows of ScorecardColumns.
func WriteScorecards(out export.Writer, rep *Report) error {
	for _, c := range rep.Scorecards {
		kind, member := "队员", any(c.MemberID)
		if c.Kind == KindUser {
			kind, member = "工作人员", nil
		}
		pre := "否"
		if c.PreJob {
			pre = "是"
		}
		if c.Kind == KindUser {
			pre = ""
		}
		if err := out.Row(kind, member, c.Name, RoleNames[c.Role], c.GridName, c.WeekVisits, c.WeeklyTarget, c.Visits,
			c.Handled, c.OnTime, percent(c.OnTimeRate), c.Rated, c.Satisfied, percent(c.SatisfactionRate), c.Complaints, c.Praise, pre,
			c.TrainingHours, c.TrainingTarget, c.Hours, c.HoursTarget, value(c.Score)); err != nil {
			return err
		}
	}
	return nil
}

// value is f's value, or nil.
func value(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// percent is a rate as a percentage with one decimal, or nil.
func percent(r *float64) any {
	if r == nil {
		return nil
	}
	return round1(100 * *r)
}

// BadReviewColumns are the columns of a bad-review export (差评分析).
var BadReviewColumns = []export.Column{
	{Header: "回访时间", Width: 18}, {Header: "诉求编号", Width: 10}, {Header: "查询码", Width: 12}, {Header: "原因", Width: 10},
	{Header: "类别", Width: 22}, {Header: "网格", Width: 14}, {Header: "部门", Width: 22}, {Header: "办理人", Width: 18},
	{Header: "居民意见", Width: 40},
}

// WriteBadReviews writes the reviews of rep as rows of BadReviewColumns.
func WriteBadReviews(out export.Writer, rep *BadReviewReport) error {
	for _, b := range rep.Reviews {
		if err := out.Row(b.At, b.RequestID, b.TrackingCode, ReasonNames[b.Reason], b.CategoryName, b.GridName, b.Department,
			b.Handler, b.Comment); err != nil {
			return err
		}
	}
	return nil
}

// ServiceColumns are the columns of a member's service record (志愿服务 /
// 在职党员报到服务记录), the file their unit asks for.
var ServiceColumns = []export.Column{
	{Header: "姓名", Width: 12}, {Header: "工作单位", Width: 24}, {Header: "日期", Width: 12}, {Header: "时长（小时）", Width: 12},
	{Header: "服务内容", Width: 40},
}

// WriteService writes member h's service items as rows of ServiceColumns,
// then a total row.
func WriteService(out export.Writer, h MemberHours, items []ServiceItem) error {
	total := 0.0
	for _, it := range items {
		total += it.Hours
		if err := out.Row(h.Name, h.Unit, it.Day.String(), it.Hours, it.What); err != nil {
			return err
		}
	}
	return out.Row(h.Name, h.Unit, "合计", round2(total), "")
}

// AttendanceColumns are the columns of a course's attendance (培训签到).
var AttendanceColumns = []export.Column{
	{Header: "课程", Width: 24}, {Header: "日期", Width: 12}, {Header: "学时", Width: 8}, {Header: "姓名", Width: 12},
	{Header: "角色", Width: 12}, {Header: "网格", Width: 14}, {Header: "测试成绩", Width: 10}, {Header: "是否合格", Width: 10},
}

// WriteAttendance writes the attendance of course c as rows of
// AttendanceColumns.
func WriteAttendance(out export.Writer, c Course, as []Attendee) error {
	for _, a := range as {
		var score, passed any
		if a.Score != nil {
			score, passed = *a.Score, "否"
			if *a.Passed {
				passed = "是"
			}
		}
		if err := out.Row(c.Title, a.Day.String(), a.Hours, a.Name, RoleNames[a.Role], a.GridName, score, passed); err != nil {
			return err
		}
	}
	return nil
}
