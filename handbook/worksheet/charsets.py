"""What a reader can type into the worksheet's form fields: the repertoire of the form font.

A value typed on screen is drawn by the viewer with the font the form embeds, so that font must
already hold every character a reader may type. All of Noto Sans CJK (65k glyphs) would cost about
15 MB per PDF; the national standard sets cover everyday writing at a fraction of it (measured with
Noto Sans CJK, zlib-compressed glyf TrueType, see the issue report):

==========================  =========  =========  ====================================================
repertoire                  chars      size       covers
==========================  =========  =========  ====================================================
GB2312 levels 1+2 + symbols  7,445     1.3 MB     the mainland's everyday set: 6,763 hanzi, incl. names
GB2312 level 1 + symbols     4,437     0.7 MB     the 3,755 most frequent hanzi only
Big5 common + symbols        5,903     1.1 MB     Taiwan's 5,401 常用字 (the MoE frequent set)
Big5 common + less common   13,555     2.7 MB     every Big5 hanzi
==========================  =========  =========  ====================================================

The blank worksheet takes the first and third rows: it is made once per edition and anyone may type
anything into it. The choice is data keyed by the locale's script, not by edition name. Text the
worksheet prints itself and pre-filled values are added on top, so they never depend on it.

A pre-filled copy is one of perhaps thousands (issue 19: 1,000 of them should weigh 300 MB at most, and
with the national sets they weighed 1.6 GB), and most of it is written already: its font holds the
characters of the data (every record's, so one form serves them all), the worksheet's own text, ASCII,
the national set's punctuation (general, CJK and full-width: 240 marks) and the script's most frequent
hanzi, as many as fit. Sizes of a whole filled copy (one short record; fonts, fields and structure; the
copy's objects packed in object streams, see ``forms.compact``; KB of 1,024 bytes), and the share of
running text the hanzi cover, counted by the word frequencies of jieba 0.42.1's dictionary (the Traditional
counts through OpenCC 1.4.2 ``s2t`` and ``s2hk`` of each word)::

    frequent hanzi    zh-Hans copy    covers    zh-Hant copy    covers
    none               191 KB           --       213 KB           --
    500                234 KB          73 %      263 KB          72 %
    600                246 KB          77 %      278 KB          77 %
    800                275 KB          83 %      312 KB          83 %
    1,000              307 KB          87 %      347 KB          87 %

Since then every text field has an empty appearance of its own (``forms.widget``: a program that fills a
field by rewriting its appearance in place showed the value in every field), about 16 KB a copy more, so
a copy affords 750 Simplified (82 % of running text) and 530 Traditional (73 %). With bench_worksheet.py's
1,000 records (the data adds its own characters, 10 to 15 KB a copy) a copy weighs 299 KB in zh-Hans and
304 KB in zh-Hant: 292 and 297 MB for 1,000. Traditional glyphs have more strokes (about 20 % more bytes each), so
Traditional affords fewer. A value a reader types later into a remaining blank shows if its characters are
among these (or in the data or the worksheet's text); the blank worksheet, with the national sets, is there
for anything else.
"""
from __future__ import annotations

from functools import lru_cache

# Printable ASCII, Latin-1 signs that money, dates and names use, and the typographic marks both
# editions print; the national sets below lack some of them (GB2312 has no U+00A5 YEN SIGN).
_BASE = "".join(chr(c) for c in range(0x20, 0x7F)) + "¥£€¢°±×÷·—–…‘’“”•√✓№℃‰"
BY_SCRIPT = {"Hans": "gb2312", "Hant": "big5"}


def _double_byte(codec: str, leads: range, trails: list[int]) -> str:
    out = []
    for lead in leads:
        for trail in trails:
            try:
                char = bytes((lead, trail)).decode(codec)
            except UnicodeDecodeError:
                continue
            if len(char) == 1:
                out.append(char)
    return "".join(out)


@lru_cache(maxsize=None)
def gb2312() -> str:
    """GB 2312-80: symbol rows 1-9 and both levels of hanzi (rows 16-87)."""
    trails = list(range(0xA1, 0xFF))
    return _double_byte("gb2312", range(0xA1, 0xAA), trails) + _double_byte("gb2312", range(0xB0, 0xF8), trails)


@lru_cache(maxsize=None)
def big5() -> str:
    """Big5: symbols (A140-A3BF) and the frequently used hanzi (A440-C67E)."""
    trails = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    return _double_byte("big5", range(0xA1, 0xA4), trails) + _double_byte("big5", range(0xA4, 0xC7), trails)


REPERTOIRES = {"gb2312": gb2312, "big5": big5}

# The most frequent hanzi of each script, most frequent first (the module docstring says how they were
# counted); a pre-filled copy takes as many as it affords.
_BY_FREQUENCY = {
    "Hans": (
        "一是人了不在有大中国和为这上他个地年来我会以到时要出的生学说道民家子也成行下们于后就发自之对得主长可"
        "过天作分方用多你着部能市等业全里工公经本都而高政法面门动日进区事代那去心小同北定开产前其军还然起种所"
        "如现理机体表力好外与文当两实重新三么只山水关明从化平建又制南内西没此将员名手最东头者月间无安看见各城"
        "十相但已些正口通想度加第她合院物性战由位常点海意场武使次二向治因立数样身情入原问把路被并利石老教万知"
        "级量任江及应省资委务元美特期世湖回系比气汉总展电科金先声提品设或义王社很统处四首共马形己儿司太目基领"
        "队直计别女权话少流命至报米给打变果书清活几州华解议更称程今决张导术府才保交放管结师便走达族反再题色五"
        "京河接条规式县白它改风光运信受什组听布百济党指论强做取技黄神选记斯真却职号界件花类何眼兵传带空干农边"
        "据集联古广完质阳难增历史专官每住商即步认车台林必死游举线言皇土团收考求德叫近备研争非具李众连调感转笑"
        "革该持始英克士尔让拉思根格造较际亲单朝红型价校约器字段周亚深候则功属积快图火千准究往极育装许参半令吃"
        "观鱼精办像帝八复影告远群包整构料随划算象容示投势热值夫网望源息语股铁断派速怎需片爱律纪支早况病境证编"
        "越局推满且列觉服双未居除乐企引标确织初青志率项飞球节察龙响药站施均消客失轻存低甚般击曾防请离落显罗营"
        "足素视护副食创余照兴占巴虽洲村费易试星木黑左宝置跟央识维采六底宫房音环案批切斗富乡另倒若按查故突责严"
        "桥模仅胜杀围席态破承招杨负层须父供续状域似依银范修找九致密终血旅钱赛独细效玉冲获习医演毛尽脸弹楼艺航"
        "陆右协七攻镇检写苏宗章注阿抗弟坐验封紧劳户优财养适陈喜卫排射哥油刻留急降念云微伤例景拿绝阶座刘刚害印"
        "亿沙母酒助闻超审待压升送监策略限竟香配藏敌呢差仍兰温园树征善波哪词岛止预怕继皮执味份角草男普答益谁船"
        "惊核街夏宣掌田久著画辑奇尼剑吧谈背免孩礼材愿洋春架筑括晚乱乎讲尚良友临激刀夜室既敢邦挥昌板胡欧福港叶"
    ),
    "Hant": (
        "一是人不了在有大中國和為爲這上他地個年來我會以到要時的出生學説說道民子家也成行下們於就後發自之對得主"
        "長可過天作分方用你着多部能市業全等工經公本都而政法高門動日進面區事代那去心定北同小開產前其軍還然起所"
        "如裏種現理機體表力外與好兩當文新實重麼三山水關從化建明又平南內沒西此將員名只手最頭者東月間安無見各城"
        "已但相看些正口十通度她想加第合物院性戰由位海意點常場使武次向因制治二立樣數身情入原把被路問利教老級量"
        "石知及任應江資省委務元萬並期美世特湖比氣漢總展電科回先提品金聲設或義社王很統首共己處形四馬兒目領司基"
        "隊直計女別權話少流命至報給米果變打書解活州議更華稱幾清程決今導太張術才府保交放管結便走師達反再題色族"
        "京接河五規條式縣它改運白風光受信什組聽濟論黨強指做取技百選記黃神卻職真號界件類花眼何斯兵傳帶邊農據集"
        "空聯完廣古質增難陽史專官住每即商認車必步林死舉系線備皇言台土收考求叫臺近研爭衆眾非感調歷轉革李具德該"
        "笑持始團連英士讓根較造思際親朝單格型拉價紅爾校器約克字段候則屬功積亞快圖火究深極育像千裝許半令吃遊喫"
        "佈參觀魚精辦帝告影構羣包隨料算八容劃示投勢熱值整網里股語源望鐵息象斷往夫派遠怎速需愛律紀況片支病境證"
        "編早推且覺列滿服未除織居企局引標樂初確雙項率飛球察響節藥站龍均消施幹青準客失甚存低般擊曾請防離顯營落"
        "周視護副食創羅足照素興雖餘洲佔村費易置木左跟黑央識巴星試底環寶房音宮案維批富切另倒鄉越六按故突責查若"
    ),
}
AFFORDED = {"Hans": 750, "Hant": 530}  # what a filled copy affords (the table above)
FREQUENT = {script: chars[:AFFORDED[script]] for script, chars in _BY_FREQUENCY.items()}


def repertoire(script: str | None) -> tuple[str, str]:
    """(name, characters) of the blank form's font for a locale script; ASCII and signs only when unknown."""
    name = BY_SCRIPT.get(script or "", "")
    chars = REPERTOIRES[name]() if name else ""
    return name or "basic", _BASE + chars


def _punctuation(code: int) -> bool:
    """General punctuation, CJK symbols and punctuation, full-width forms: the marks people type."""
    return 0x2000 <= code <= 0x206F or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF


def frequent(script: str | None) -> tuple[str, str]:
    """(name, characters) of a pre-filled copy's font (the data's own characters are added to it): the
    national set's punctuation and the script's most frequent hanzi; ASCII and signs only when unknown."""
    name = BY_SCRIPT.get(script or "", "")
    if not name:
        return "basic", _BASE
    symbols = "".join(ch for ch in REPERTOIRES[name]() if _punctuation(ord(ch)))
    return f"{name}-frequent", _BASE + symbols + FREQUENT[script]
