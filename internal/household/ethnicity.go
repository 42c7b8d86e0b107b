package household

import "strings"

// Ethnicity is one of the 56 officially recognised ethnic groups of China,
// coded as in GB/T 3304-1991. EN is the standard's romanised name.
type Ethnicity struct {
	Code string // two-digit code, "01" to "56"
	ZH   string // Chinese name, e.g. "汉族"
	EN   string // romanised name, e.g. "Han"
}

// Ethnicities lists the 56 ethnic groups in official code order.
var Ethnicities = []Ethnicity{
	{Code: "01", ZH: "汉族", EN: "Han"},
	{Code: "02", ZH: "蒙古族", EN: "Mongol"},
	{Code: "03", ZH: "回族", EN: "Hui"},
	{Code: "04", ZH: "藏族", EN: "Zang"},
	{Code: "05", ZH: "维吾尔族", EN: "Uygur"},
	{Code: "06", ZH: "苗族", EN: "Miao"},
	{Code: "07", ZH: "彝族", EN: "Yi"},
	{Code: "08", ZH: "壮族", EN: "Zhuang"},
	{Code: "09", ZH: "布依族", EN: "Buyei"},
	{Code: "10", ZH: "朝鲜族", EN: "Chosen"},
	{Code: "11", ZH: "满族", EN: "Man"},
	{Code: "12", ZH: "侗族", EN: "Dong"},
	{Code: "13", ZH: "瑶族", EN: "Yao"},
	{Code: "14", ZH: "白族", EN: "Bai"},
	{Code: "15", ZH: "土家族", EN: "Tujia"},
	{Code: "16", ZH: "哈尼族", EN: "Hani"},
	{Code: "17", ZH: "哈萨克族", EN: "Kazak"},
	{Code: "18", ZH: "傣族", EN: "Dai"},
	{Code: "19", ZH: "黎族", EN: "Li"},
	{Code: "20", ZH: "傈僳族", EN: "Lisu"},
	{Code: "21", ZH: "佤族", EN: "Va"},
	{Code: "22", ZH: "畲族", EN: "She"},
	{Code: "23", ZH: "高山族", EN: "Gaoshan"},
	{Code: "24", ZH: "拉祜族", EN: "Lahu"},
	{Code: "25", ZH: "水族", EN: "Sui"},
	{Code: "26", ZH: "东乡族", EN: "Dongxiang"},
	{Code: "27", ZH: "纳西族", EN: "Naxi"},
	{Code: "28", ZH: "景颇族", EN: "Jingpo"},
	{Code: "29", ZH: "柯尔克孜族", EN: "Kirgiz"},
	{Code: "30", ZH: "土族", EN: "Tu"},
	{Code: "31", ZH: "达斡尔族", EN: "Daur"},
	{Code: "32", ZH: "仫佬族", EN: "Mulao"},
	{Code: "33", ZH: "羌族", EN: "Qiang"},
	{Code: "34", ZH: "布朗族", EN: "Blang"},
	{Code: "35", ZH: "撒拉族", EN: "Salar"},
	{Code: "36", ZH: "毛南族", EN: "Maonan"},
	{Code: "37", ZH: "仡佬族", EN: "Gelao"},
	{Code: "38", ZH: "锡伯族", EN: "Xibe"},
	{Code: "39", ZH: "阿昌族", EN: "Achang"},
	{Code: "40", ZH: "普米族", EN: "Pumi"},
	{Code: "41", ZH: "塔吉克族", EN: "Tajik"},
	{Code: "42", ZH: "怒族", EN: "Nu"},
	{Code: "43", ZH: "乌孜别克族", EN: "Uzbek"},
	{Code: "44", ZH: "俄罗斯族", EN: "Russ"},
	{Code: "45", ZH: "鄂温克族", EN: "Ewenki"},
	{Code: "46", ZH: "德昂族", EN: "Deang"},
	{Code: "47", ZH: "保安族", EN: "Bonan"},
	{Code: "48", ZH: "裕固族", EN: "Yugur"},
	{Code: "49", ZH: "京族", EN: "Gin"},
	{Code: "50", ZH: "塔塔尔族", EN: "Tatar"},
	{Code: "51", ZH: "独龙族", EN: "Derung"},
	{Code: "52", ZH: "鄂伦春族", EN: "Oroqen"},
	{Code: "53", ZH: "赫哲族", EN: "Hezhen"},
	{Code: "54", ZH: "门巴族", EN: "Monba"},
	{Code: "55", ZH: "珞巴族", EN: "Lhoba"},
	{Code: "56", ZH: "基诺族", EN: "Jino"},
}

// EthnicityByZH looks up an ethnic group by its Chinese name. Surrounding
// spaces are ignored, and the name may omit the final "族" ("汉" finds
// "汉族").
func EthnicityByZH(name string) (Ethnicity, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Ethnicity{}, false
	}
	if !strings.HasSuffix(name, "族") {
		name += "族"
	}
	for _, e := range Ethnicities {
		if e.ZH == name {
			return e, true
		}
	}
	return Ethnicity{}, false
}
