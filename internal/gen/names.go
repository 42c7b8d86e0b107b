package gen

import (
	"math/rand/v2"
	"slices"
)

// weighted is a value with a relative weight.
type weighted[T any] struct {
	v T
	w int
}

// pick draws one value of ws in proportion to the weights.
func pick[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return ws[len(ws)-1].v
}

// one draws one element of xs uniformly.
func one[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// surnames are common Chinese surnames weighted roughly by frequency, with
// the surnames frequent in Qinghai (祁, 冶, 韩, 马) given their local weight.
var surnames = []weighted[string]{
	{"王", 90}, {"李", 88}, {"张", 85}, {"刘", 70}, {"陈", 55}, {"杨", 50}, {"赵", 40}, {"黄", 30},
	{"周", 30}, {"吴", 28}, {"徐", 22}, {"孙", 22}, {"马", 40}, {"朱", 18}, {"胡", 18}, {"郭", 18},
	{"何", 15}, {"高", 15}, {"林", 10}, {"罗", 12}, {"郑", 10}, {"梁", 10}, {"谢", 9}, {"宋", 9},
	{"唐", 9}, {"许", 8}, {"韩", 10}, {"冯", 9}, {"邓", 8}, {"曹", 8}, {"彭", 7}, {"曾", 6},
	{"肖", 7}, {"田", 7}, {"董", 7}, {"袁", 6}, {"潘", 5}, {"于", 6}, {"蒋", 5}, {"蔡", 5},
	{"余", 5}, {"杜", 6}, {"叶", 4}, {"程", 5}, {"苏", 5}, {"魏", 6}, {"吕", 5}, {"丁", 5},
	{"任", 5}, {"沈", 4}, {"姚", 4}, {"卢", 4}, {"姜", 4}, {"崔", 4}, {"钟", 3}, {"谭", 3},
	{"陆", 3}, {"汪", 3}, {"范", 4}, {"金", 4}, {"石", 4}, {"廖", 3}, {"贾", 5}, {"夏", 3},
	{"祁", 6}, {"乔", 4}, {"鲁", 3},
}

// huiSurnames are the surnames most common among the Hui and Salar of Qinghai.
var huiSurnames = []weighted[string]{{"马", 60}, {"韩", 15}, {"冶", 10}, {"沙", 6}, {"喇", 5}, {"白", 4}}

var maleGiven = []string{"伟", "强", "军", "勇", "杰", "涛", "斌", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波",
	"建国", "建华", "国强", "志强", "海龙", "永福", "文博", "子轩", "浩然", "宇航", "俊杰", "晓东", "德明", "成林",
	"振华", "春生", "国庆", "宏伟", "天佑", "一鸣", "泽宇", "博文", "立新", "发财", "玉福", "学军", "海涛", "进财"}

var femaleGiven = []string{"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "红", "燕", "萍", "婷", "雪", "琳", "慧",
	"秀英", "桂兰", "玉兰", "秀兰", "淑珍", "凤英", "丽娟", "晓燕", "海燕", "春梅", "雅婷", "欣怡", "梓涵", "诗琪",
	"佳怡", "雨桐", "子涵", "梦洁", "晓霞", "金花", "玉梅", "彩霞", "翠兰", "明珠", "巧云", "冬梅", "秀珍", "美玲"}

var tibetanMale = []string{"才让", "扎西", "多杰", "索南", "更登", "尼玛", "旦增", "拉加", "桑杰", "贡保", "公保", "久美"}
var tibetanFemale = []string{"卓玛", "拉毛", "央金", "措毛", "德吉", "才措", "吉毛", "拉姆", "央宗", "卓嘎", "曲珍", "梅朵"}

var foreignNames = []string{"Ahmed Khan", "Maria Petrova", "John Miller", "Aigerim Nurlanovna", "Kim Minjun", "Sarah Brown", "Bakhyt Seitkali", "Anna Novak"}

// personName makes a name for a person of the given gender and ethnicity.
// A surname (if not empty) is kept, so children take their father's.
func personName(r *rand.Rand, surname string, male bool, ethnicity string) string {
	if ethnicity == "藏族" {
		// A Tibetan name has no surname: it is two whole given names
		// (扎西多杰, 拉姆卓玛), never one twice (尼玛尼玛).
		if male {
			return twoNames(r, tibetanMale, tibetanMale)
		}
		return twoNames(r, tibetanFemale, tibetanFemale[:6])
	}
	if surname == "" {
		surname = familySurname(r, ethnicity)
	}
	if male {
		return surname + one(r, maleGiven)
	}
	return surname + one(r, femaleGiven)
}

// twoNames draws a name of first and a different one of second, joined.
func twoNames(r *rand.Rand, first, second []string) string {
	a := one(r, first)
	return a + one(r, slices.DeleteFunc(slices.Clone(second), func(b string) bool { return b == a }))
}

// familySurname draws a surname that fits the ethnicity.
func familySurname(r *rand.Rand, ethnicity string) string {
	if ethnicity == "回族" || ethnicity == "撒拉族" {
		return pick(r, huiSurnames)
	}
	return pick(r, surnames)
}

// ethnicities is the Qinghai mix of a household's ethnic group.
var ethnicities = []weighted[string]{{"汉族", 780}, {"回族", 120}, {"藏族", 50}, {"土族", 30}, {"撒拉族", 10}, {"蒙古族", 10}}

// communityWords make the names of generated communities and compounds.
var communityWords = []string{"兴隆", "安泰", "和平", "幸福", "建设", "朝阳", "团结", "康乐", "新华", "民和", "祥和", "金桥",
	"富强", "振兴", "青云", "湟水", "北山", "南山", "春晖", "星光", "花园", "锦绣", "华山", "丰收", "长乐", "永宁",
	"宁湖", "昆仑", "柴达", "互助", "德令", "明珠", "雪峰", "金泉", "河湾", "光明", "文苑", "书香", "绿洲", "瑞祥",
	"润泽", "嘉禾", "虹桥", "滨河", "清河", "欣荣", "怡园", "丽景", "阳光", "紫荆", "海湖", "泰宁", "林荫", "宏达",
	"聚福", "同心", "向阳", "东升", "晨曦", "观澜"}

var compoundSuffixes = []string{"小区", "家园", "花园", "苑", "嘉园", "新村"}

// streets of 西宁市 by district; more are generated when a city needs them.
var districts = []struct {
	name, code string
	streets    []string
}{
	{"城东区", "630102", []string{"韵家口镇", "东关大街街道", "清真巷街道", "大众街街道", "周家泉街道", "火车站街道", "八一路街道", "林家崖街道", "乐家湾镇"}},
	{"城中区", "630103", []string{"人民街街道", "南滩街道", "仓门街街道", "礼让街街道", "饮马街街道", "南川东路街道", "南川西路街道", "总寨镇"}},
	{"城西区", "630104", []string{"西关大街街道", "古城台街道", "虎台街道", "胜利路街道", "兴海路街道", "文汇路街道", "通海路街道", "彭家寨镇"}},
	{"城北区", "630105", []string{"朝阳街道", "小桥大街街道", "马坊街道", "火车西站街道", "大堡子镇", "廿里铺镇"}},
}
