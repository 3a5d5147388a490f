"""The most frequent characters of Chinese and Korean text, to tell them apart in 8-bit values.

GB2312's level-1 hanzi and KS X 1001's Hangul occupy the same byte pairs (rows B0-C8), so a
Korean name is also a valid, common-looking Chinese one, and Big5 overlaps both. What differs is
which characters come out: real text is mostly made of its language's few hundred most frequent
characters, bytes of another language read this way hit them only by chance (parse_detect.py).
"""

# About 600 of the most frequent hanzi (simplified; those shared with traditional text count for
# Big5 too), plus words of customer mail (order, invoice, refund...).
CHINESE = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年"
    "过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心"
    "她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间"
    "由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给"
    "世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变"
    "四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社"
    "便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北"
    "边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济"
    "车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团"
    "集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企"
    "八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考"
    "落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音"
    "跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采"
    "举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普"
    "订购货款退换寄收到谢您好请问账户密码登录注册会员邮箱地址电话客服售后质量保修发票付款支付快递"
    "物流送达取消申请确认通知回复附件合同报价资料文件说明安排下周议问题关于小明先生女士经理部门"
    # The traditional forms of frequent characters, for Big5.
    "這們來為國說時過發後裡現當動點開問題謝請訂單貨款寄電話號碼資料與對從個應該還沒買賣會議關於"
    "週陳東車長門間聽讓見覺親愛學習實寫書經濟業務產價錢場種樣麼麗華臺灣處張劉黃楊趙吳鄭謝羅"
)

# About 300 of the most frequent Hangul syllables, surnames and given-name syllables included.
KOREAN = frozenset(
    "이다에의는로하을가고지서한은기으년대사시를리도인스일국정자어나수해원장전상적들게주만부제동생"
    "니요거있여문아되성과라구경마보면신소위연세비우관내개작공중조회안화학모분무미계간실선방와트유"
    "치물드각음말본발했입터통야저습께님씨김박최민준현영호진태희용순숙철명식재훈석빈래오후날때번월"
    "알금좀더잘못없같좋많감합까립바랍확변결송배품취환불답객센메청처완료견약강윤임황권송류홍양손백"
    "허남심노곽차엄채천함염추설길표반왕옥육맹탁은편예봉복목형피두혜서울상담드림고객님안녕하세요"
    "감사주문배송환불교환문의답변확인요청처리결제취소카드계좌번호메일전화시간오늘내일다음주회의일"
    "정안내견적서계약은행보험회사직원팀장과장대리사원부장님께서드립니다합니까습니다있습니다"
)
