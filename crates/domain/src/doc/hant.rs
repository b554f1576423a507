//! Traditional characters read as simplified, for matching only (the catalogue's names and
//! keywords, the markers 第一條): a document in traditional characters keeps them for display.
//! Character for character, and every pair is three bytes in UTF-8 on both sides, so byte
//! spans found in the converted text hold in the original.

/// Traditional and simplified, pair by pair (the characters of county government texts).
const TRADITIONAL: &str = "縣區鄉鎮們個這說對時會國經濟發展與實務體產業農業環衛健醫療護險災應急遞處機關單員門開關問題議論記錄運輸動態勢線網絡區域財稅費價質監測檢驗證書讀寫條規劃計劃總綜執範圍層級標準類別項專導領負責組織聯繫協調節點風險隱患預警報告種養殖戶場樹園綠廠礦鐵電氣燈熱煙爐車輛橋樑溝灣灘漁漢滿傳統興辦學習練義認識決議達標準備齊優勢積極務實級處罰準確創業擴張屬權責進職權範輕重貸債務還款額據評價審計歸檔當庫設備圖謀劃啟動遷移轉讓補貼獎勵懲處罰辦結違紀紀律黨團幹部隊伍廣場館舍劇團藝術饋贈遺產課題講話報導歷史顯現齡兒童婦聯殘疾貧困扶貧脫貧鞏固銜接氣候測繪廢棄汙染淨化減碳節約復興資訊腦筋從眾聲響壓縮擔當較量盡職壩閘堤塊壟漲豐歲糧豬雞鴨魚蝦麥穀飯館餐飲飼養獸藥衛視鏡頭攝錄壞損護欄燒災禍殺傷亡屍體營運飛機場關閉雙單獨佔據嚴格謹慎確認總結驗收歡迎語言詞彙爭論證據釋放夠購買賣費貨幣錢銀鐘錶牽頭為於後裡東將並數則見現長華萬億無間點兩來舉調談請讓邊過還選遠連週鄰號團圍報壓奮寧寬屆島帶幫廳張彈慶戰擊擬攜敗斷書極構樓權歡殘煉狀獎畫盤礎禮稱穩築簡紅約納紙細終絕給維編緊績續習聞職臨艱虛術補製複覽觀規視親訂訪設許診評試詳誤諸變貢賠趕躍軍軟輔轄迴適針鋼錯鍵閱闊陣陽際隨難靜順須頻額風馬髮鬥鳥麗黃齊務會國機業樣係繫產價倉傳僅優兒內劃動勞勵勢區協參啟嚴堅壯夠奪屬廣異彙徵恆惡愛憑懷擔據擴攤條檢歸氣決沒濫災營獨瑣監確禦私稅籌網線總罰舊莊葉蘇藥處衝裝覺訊詢該誠課賣輛辭週鐘閉陸隻雜雲韓顧驅體黨強";
const SIMPLIFIED: &str = "县区乡镇们个这说对时会国经济发展与实务体产业农业环卫健医疗护险灾应急递处机关单员门开关问题议论记录运输动态势线网络区域财税费价质监测检验证书读写条规划计划总综执范围层级标准类别项专导领负责组织联系协调节点风险隐患预警报告种养殖户场树园绿厂矿铁电气灯热烟炉车辆桥梁沟湾滩渔汉满传统兴办学习练义认识决议达标准备齐优势积极务实级处罚准确创业扩张属权责进职权范轻重贷债务还款额据评价审计归档当库设备图谋划启动迁移转让补贴奖励惩处罚办结违纪纪律党团干部队伍广场馆舍剧团艺术馈赠遗产课题讲话报导历史显现龄儿童妇联残疾贫困扶贫脱贫巩固衔接气候测绘废弃污染净化减碳节约复兴资讯脑筋从众声响压缩担当较量尽职坝闸堤块垄涨丰岁粮猪鸡鸭鱼虾麦谷饭馆餐饮饲养兽药卫视镜头摄录坏损护栏烧灾祸杀伤亡尸体营运飞机场关闭双单独占据严格谨慎确认总结验收欢迎语言词汇争论证据释放够购买卖费货币钱银钟表牵头为于后里东将并数则见现长华万亿无间点两来举调谈请让边过还选远连周邻号团围报压奋宁宽届岛带帮厅张弹庆战击拟携败断书极构楼权欢残炼状奖画盘础礼称稳筑简红约纳纸细终绝给维编紧绩续习闻职临艰虚术补制复览观规视亲订访设许诊评试详误诸变贡赔赶跃军软辅辖回适针钢错键阅阔阵阳际随难静顺须频额风马发斗鸟丽黄齐务会国机业样系系产价仓传仅优儿内划动劳励势区协参启严坚壮够夺属广异汇征恒恶爱凭怀担据扩摊条检归气决没滥灾营独琐监确御私税筹网线总罚旧庄叶苏药处冲装觉讯询该诚课卖辆辞周钟闭陆只杂云韩顾驱体党强";

/// The table as a map, built once.
fn table() -> &'static std::collections::HashMap<char, char> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<char, char>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = std::collections::HashMap::new();
        for (t, s) in TRADITIONAL.chars().zip(SIMPLIFIED.chars()) {
            // The first pair for a character wins; a pair that would move bytes is never used.
            if t != s && t.len_utf8() == s.len_utf8() {
                m.entry(t).or_insert(s);
            }
        }
        m
    })
}

/// The simplified form of a text, byte for byte in place.
pub fn simplified(text: &str) -> std::borrow::Cow<'_, str> {
    let table = table();
    if !text.chars().any(|c| c >= '\u{3400}' && table.contains_key(&c)) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().map(|c| table.get(&c).copied().unwrap_or(c)).collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_table_pairs_up_and_keeps_spans() {
        assert_eq!(super::TRADITIONAL.chars().count(), super::SIMPLIFIED.chars().count());
        let t = "二、縣發展和改革局牽頭，縣財政局配合，第一條";
        let s = super::simplified(t);
        assert_eq!(s.len(), t.len());
        assert!(s.contains("县发展和改革局") && s.contains("县财政局") && s.contains("第一条"), "{s}");
    }
}
