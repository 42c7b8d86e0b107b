package testworld

import (
	"strconv"

	"github.com/xuri/excelize/v2"
)

// StructureWorkbook writes to path a structure workbook as a community
// keeps one, for the tests of every face (as NewOrg makes the org
// tree they run on: 东兴社区 with 第一网格 and 第二网格, 一化小区 with 1号楼 in
// grid 1 and 2号楼 in grid 2). It is messy on purpose:
//
//   - "说明": a sheet of notes, no table (skipped);
//   - "网格划分" (grids): a title row merged across, a blank row, then
//     网格编号, 网格名称, 网格长, 网格长电话, 小区, 楼栋, 单元, 房号范围. Grid 1
//     is merged down two rows and covers 1号楼 (101-602) and, on the row
//     below with the compound left empty, "3-4号楼"; grid 2 covers "2"
//     (2号楼); grid 3 is new, led by 王强 (in the team sheet as 网格长),
//     with 新华小区 "1号楼、2号楼"; grid 4 is new, named 东区网格, led by 刘洋,
//     who is in no team sheet, with its phone typed in full-width digits;
//   - "走访队伍" (team): 序号, 姓名, 身份, 所属网格 (by number, by name, or
//     empty for a helper of the whole community), 联系电话, 微信号, 语言
//     ("普通话、藏语"), 特长, 可走访时间 ("工作日白天、晚上");
//   - "部门" (departments): 部门名称, 上级（区/街道）, 电话: one under the
//     district, one under the street, one with no parent (the street).
//
// Imported into NewOrg with accounts, it makes grids 3 and 4,
// 新华小区 with its two buildings and 一化小区 3号楼 and 4号楼, eight team
// members (seven rows and 刘洋), the leaders of the four grids, three
// departments, and five accounts: g1-leader (马学军), g2-leader (李娟),
// g3-leader (王强), g4-leader (刘洋) and g3-01 (赵刚, grid 3's grid worker).
func StructureWorkbook(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	steps := []func(*excelize.File) error{fixtureNotes, fixtureGrids, fixtureTeam, fixtureDepartments}
	for _, step := range steps {
		if err := step(f); err != nil {
			return err
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// rows writes rows from cell A<first> down.
func rows(f *excelize.File, sheet string, first int, rs [][]any) error {
	for i, r := range rs {
		if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(first+i), &r); err != nil {
			return err
		}
	}
	return nil
}

func fixtureNotes(f *excelize.File) error {
	if _, err := f.NewSheet("说明"); err != nil {
		return err
	}
	return rows(f, "说明", 1, [][]any{{"本表由社区填写，网格划分、走访队伍、部门各一页。"}, {"电话请填写手机号。"}})
}

func fixtureGrids(f *excelize.File) error {
	const s = "网格划分"
	if _, err := f.NewSheet(s); err != nil {
		return err
	}
	err := rows(f, s, 1, [][]any{
		{"东兴社区网格划分表"},
		{},
		{"网格编号", "网格名称", "网格长", "网格长电话", "小区", "楼栋", "单元", "房号范围"},
		{1, "第一网格", "马学军", "13912340001", "一化小区", "1号楼", "", "101-602"},
		{nil, nil, nil, nil, nil, "3-4号楼"},
		{"2", "第二网格", "李娟", "13912340002", "一化小区", "2"},
		{3, "第三网格", "王强", "13912340003", "新华小区", "1号楼、2号楼"},
		{4, "东区网格", "刘洋", "１３９１２３４０００９", "新华小区", "3号楼", "1-2", "全部"},
	})
	if err != nil {
		return err
	}
	for _, m := range [][2]string{{"A1", "H1"}, {"A4", "A5"}, {"B4", "B5"}, {"C4", "C5"}, {"D4", "D5"}} {
		if err := f.MergeCell(s, m[0], m[1]); err != nil {
			return err
		}
	}
	return nil
}

func fixtureTeam(f *excelize.File) error {
	const s = "走访队伍"
	if _, err := f.NewSheet(s); err != nil {
		return err
	}
	return rows(f, s, 1, [][]any{
		{"序号", "姓名", "身份", "所属网格", "联系电话", "微信号", "语言", "特长", "可走访时间"},
		{1, "马学军", "网格员", "第一网格", "13912340001", "mxj_grid1", "普通话、藏语", "政策解读，矛盾调解", "工作日白天、晚上"},
		{2, "李娟", "网格员", 2, "13912340002", "", "", "", "周末"},
		{3, "王强", "网格长", 3, "13912340003", "", "", "", "随时"},
		{4, "赵刚", "网格员", "3", "13912340004", "", "", "水暖维修", "晚上"},
		{5, "卓玛", "志愿者", "", "13912340005", "", "藏语", "藏语翻译", "周末"},
		{6, "张明", "楼栋长", "第一网格", "13912340006", "", "", "邻里调解", "晚上、周末"},
		{7, "陈芳", "下沉干部", "", "13912340007", "", "", "就业指导", "周末"},
	})
}

func fixtureDepartments(f *excelize.File) error {
	const s = "部门"
	if _, err := f.NewSheet(s); err != nil {
		return err
	}
	return rows(f, s, 1, [][]any{
		{"部门名称", "上级（区/街道）", "电话"},
		{"区文体旅游科技局", "城东区", "0971-8000001"},
		{"韵家口镇派出所", "韵家口镇", "0971-8000002"},
		{"自来水公司", "", "0971-8000003"},
	})
}
