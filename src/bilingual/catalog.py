"""Catalogs (.po files): strict reading, msgcat-identical writing.

This module is the only place where .po files are read and written. The
in-memory model is polib's: a `polib.POFile` whose `header` is the header
entry's translator comment, `metadata` its fields (in file order) and
`metadata_is_fuzzy` its flags; every other message is a `polib.POEntry`.

Reading (`decode_catalog`, `parse_catalog`, `read_catalog`) is strict: a file
GNU msgfmt would reject is rejected with a `CatalogError` naming the file and
the 1-based line, and what GNU tools write is read as gettext reads it, so
that `format_catalog(parse_catalog(text))` is what msgcat makes of `text`
(but see the polib limits below). The text is lexed and parsed here, not by
`polib.pofile`: polib 1.2 silently loses text of an unterminated string
(`msgstr "Hola` becomes "Hol"), drops `#~|` lines and trailing blanks of
comments, rejects `#foo` comments, does not decode `\\a`, octal or hex
escapes, merges `#,` lines gettext replaces, and breaks strings holding
U+0085, U+2028 or U+2029 (it splits lines with `str.splitlines`). So no
polib parse error can occur; the objects built are ordinary polib ones.

Writing (`format_catalog`) produces exactly the bytes GNU `msgcat` 0.21 writes
with its default options (page width 79), so a translator's tool re-saving the
file through gettext produces no diff. The rules, from gettext's write-po.c:

* Entry order: header, then the other entries in order, then the obsolete
  ones; entries are separated by one blank line.
* Comment order: `# ` translator, `#. ` extracted, `#: ` references (file
  names only, or `file:line`; duplicates dropped; several per line, wrapped
  at column 79), `#, ` flags, `#| ` previous msgctxt/msgid/msgid_plural.
* Flags are normalised the way msgcat does it: `fuzzy` first (and only when
  the first msgstr is not empty), then the `*-format` flags in gettext's
  language order, `range: a..b`, `no-wrap`. Flags gettext does not know
  (and `wrap`, which is the default) are not written.
* Obsolete entries are written as `#~ ` lines (previous fields as `#~| `), at
  the end; obsolete entries with an empty msgstr are not written at all.
* Strings: `\\\\`, `\\"`, `\\a`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, `\\v` are escaped,
  everything else is written as is. A string is cut after every `\\n`. A
  string that contains `\\n` (other than at its very end) or does not fit on
  the keyword line is written as `msgid ""` followed by continuation lines.
  Lines are broken at the Unicode line break opportunities of libunistring
  1.0 (UAX #14 as implemented there, computed on the *escaped* text, never
  inside an escape sequence, never right before a final `\\n`), greedily, so
  that no line exceeds 79 columns (East Asian wide characters count 2,
  combining marks 0) unless a single unbreakable piece is longer.

The line break classes and character widths are libunistring 1.0's tables
(Unicode 14.0), the library gettext 0.21 on Debian 12 uses; they are stored
compressed below (`_LINEBREAK_CLASSES`, `_WIDTHS`, `_PAIR_TABLE`; regenerate
them from `libunistring_unilbrkprop`/`uc_width` of that library if gettext
is upgraded). Known deviations from msgcat:

* Inside a message flagged `*-format`, msgcat never breaks inside a format
  directive; this module knows no format-string syntax. Only directives that
  contain a break opportunity are affected (e.g. `% d`); `%s`, `%(name)s`,
  `{name}` never are.
* Catalogs in legacy CJK charsets (EUC-JP, GBK, Big5, ...): msgcat gives
  ambiguous-width characters 2 columns there; this module always counts as
  for UTF-8 (and ISO-8859-x), which is what the pipeline writes.
* A catalog with a header but no message at all: msgcat (without
  `--force-po`) writes nothing; this module writes the header, exactly as
  `msgcat --force-po` does.
* polib cannot represent some things, so they are normalised: a comment
  consisting of one single empty line (`#` or `#.` alone) is lost; the
  header entry's extracted, reference and previous comments are dropped
  (its msgstr is kept as it was read, `header_text`, while `metadata` is not
  changed); the header always comes first; a Solaris-style `# File: x, line: 1`
  comment stays a comment (gettext takes it for a reference).
* Characters the declared charset cannot encode are the caller's business
  (`write_if_changed` writes UTF-8; the pipeline declares UTF-8).
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import os
import re
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib

from bilingual.errors import BilingualError, CatalogError, FileChangedError
from bilingual.sources import UTF16_MESSAGE, files_below, is_utf16, short_name

__all__ = [
    "PAGE_WIDTH",
    "UNHOLDABLE",
    "FileVersion",
    "PlainMessage",
    "decode_catalog",
    "format_catalog",
    "header_fields",
    "header_text",
    "parse_catalog",
    "plain_messages",
    "read_catalog",
    "read_catalog_version",
    "read_plain_or_parsed",
    "remove_stale_temporaries",
    "set_header_text",
    "unholdable_character",
    "unholdable_message",
    "with_header_field",
    "write_if_changed",
]

PAGE_WIDTH = 79
"""msgcat's default `--width`."""

_BOM = "\ufeff"

# ---------------------------------------------------------------------------
# Unicode tables: libunistring 1.0 line break classes and uc_width, run-length
# encoded (varint length, class byte), zlib-compressed, base85.
# Classes already resolved for a non-CJK encoding: AI, SA, XX -> AL; CB -> ID1.
# Widths are stored + 1 (so -1, i.e. a control character, is 0).
# ---------------------------------------------------------------------------

_LINEBREAK_CLASSES = (
    "c-rk)O^9X1753Dr`+whk_q{pOb*Eo<-|m@m9Gw3F?LpH<1{KAO8c|3H%78zMgg_Re;Hp6dlZ"
    "+skfslnDnq_vul|nWe0)lRmjk++Ato#{Qh9o+E=iE0v<JgGqd-1({>r|anRj1CWd%jmhV%q1"
    "{Xzw)Aek!OTp(#!9+fYrJwZ@bHyUNy$S*Vx^dZv^u>ys%ZNh7T-Mk2H)JWa%`uoKvs;@78;K"
    "(l_<qk$Jc1y<#5sMIl|QEY_9Pdmxt1t^Y*y-q8Kb#alz4Jat)GF$TEmllL4ZtSEoDHjK2cPv"
    "|)xE9vqLs%rin8U)HX?r}&HlS}sX7Ojx8>77@Mf5sfp;~UbfN=yF2?I$yi02O^kJn0v_FBB&"
    "<Zu*hm$2)&Y$uSN6pF)qkfB|mZT*-7vPmN5P<4g%591TeJ&f1cMaSA(wKXE2uY}P%SW_#xx_"
    "g^hGvMN^@Nc{kGqCA<TTuf!p3@Za^|>z1`!ncObKMMQQ>fg3+o%@pb@T0|{>%4`_ld6PHpsl"
    "Kc-T=o_$1zmm9+ZKkKy+k@g8UFi2x=_3Ivnrxj54(Wr&11Y6KnN;&EvZBMIPQqR}8xV}%iLS"
    "dH28i8y-1X1WExkII=nw=e!=_P(=46ThfG7Z3)#sPUZMB@BQ2xP*SkGb~^QI0K_p=}^Pe!&E"
    "1(fK(S=m<tHoZ-0T&dolgvQe)#aLe>>!yGc;kfaf1lAGNxt1?jQ=Bp#IsysGPi54lAA6*?IV"
    "uE@xIc?i2aCW6yUc+ia)agS|aw?=SG=aKa$$<6T#%`hYr{K!mK!(S^-Gl^i;!J|lQ*5q!ya0"
    "$<?!GDw^LeV3xN;M<k2(D_|uGh6NU6n`~N9Ll&ekYRQqG$jQIK4E0@pLUB`Yh(5Km8v}PTz&"
    "o%1$nxTO%&O(umSGU_P8hMu!$M<VV0<fqEDA;CTq`1z<z!;4k)J9M8vM$05fP5p8nnRhC=7?"
    "@vqG*wF;unt40iZN2@rV_x`n)hqGCt<kIY_E}<ii8$7<DTsdskHUKhr`6ar`4CLCUX`wKb~0"
    "Z#2;UcE(cl<y?AYF@o@?Trb%$3jh4;!LJo3{}%ReYA4(?-@!bKGT$6twUq!o=^T81>jxqz$G"
    "`H+UMV-L_@)=mws(j@ngxbLjtgN{$+Am(`xxDU&3b)+1?F`vIa+$`r_QH9U-h}Q$IAAZiMAK"
    "+QNOK!FMyNs)t`X0NR68?=|x@?ya#bB4NUa>T}5!Zt&ke%@au5>&twWhehG<h^hmvCJ<4oJd"
    "UmiI7>A4MXjNQNPO%U0V6a@Dp(#dXWS)tlYUC4OXAI1hbDtKGAO9qeESJJ`Vvz7J{%i(Zb;o"
    "<1d;K7e^G;S04yG6E6+ZE<syOP}C_hf3fz$R{jqq%pqzV-yPdT`yBel5MMiZ&n0ZKudwbP)n"
    ")HN90-$1Y?Wg1-xFRHI6gEpzP+#)lfVXGnJyfJb$V=mm2WlFRQ~C*W=TUVqgob)f*~H4sJTt"
    "iZ?t3A^%r-z(4ipoPKX3s(@p_+gfJ-2^AOrRSTpK24<q%z{dl4*N=ZIIX|buLQ<yk6bj`J_2"
    "ZsH^)sW3{CfhII1bs9(78^=_?|B-`!cRoLVg(itd%j|^wZ8*L8G-ttJSiLhX$tNOY|H=kGC2"
    "Qyw+A@JkD!X{UZ>Bp}Nzp{2U{$gCsGVm-y8;d1a<tApS+ksJ8-L>4R1+KL$;x(fa$K2QKT;0"
    "UkAGWt;bcYd9X6{gJ;3rA=;}NI4nv$Aqo^QH|YZj7?|qbJhiJ$_09!FuPeCc0iy>B|MuM|5J"
    "(QL0-T^M-XUQu`<?hmW|HlR+N=iKVe|8DhrS_aCB-_8f{TZvZWovHV0W^?Z4@Y{*7rSD{$8N"
    "9LD}N6RtT$2&9*)^-p1-cIlsCOaGNf&+W6W=kL%XGV)Zm`_(qzpw46^m`cK4Ptp16u;q1>?m"
    "nItRHdY}w~_xGMIpMGhD|R;`21FR*@eTx)dWLwIm_XtT^2q*z8B>P+!W%A-dOm8`D_K|ey1V"
    "%>q<_vFtU!*JAr*EIoIIwC}VZM<M>W#PMFMnJviVQZRjC<s7Jj4Yh??bHGQXo{Fgv7?5=(*w"
    "Zx~%+o>E1zI!;--8eXa3|EJ;8zHqG05*`rC%eUE4x>)T79s0gXu34~fx2gqqWuEWFaS!jlEA"
    "$)g2w%kkgT2x4)0aJJM8L}xOvDyxcbb<81>C?M;H?8CnIjBLndu#WE48N7B(P<4efXR2Atf1"
    ")ZGa?9Fl&&aKn|Ceduo?EAXrgNr!ef0v?mPyB{<%>%et73gfO8-<_1aD<$m?;0YFwecc5)*$"
    "(oM_h25dR@!b(;(Y_NlY#n)?PS#N4fnxz1Mgw)hAb4_GM+j=uBX22z>+%H>$1M+&XZ-=m++!"
    "|c>&j!{XVsM!2WzX6E{iDQ+)pam3#%Q<Z_|"
)
_WIDTHS = (
    "c-mD}J7}GC6z}hx?{V*UbCcZEyqh%9s4*eUqte<)ZLp}NAUIe>9U6r=2!$>>=-@5&K~b^btH"
    "r?-bx`QyA|=>GaBwOPE>W;LxRq`?IQToi@1LM>59j}#_xl3-_nfxrJ#7Pi%IqvYFe~x4*#bZ"
    "k%n|?(Sb@q~dLOVs^b>DbgWm;3LMFqsbbv`4$8(fjwI-VU9w85W!<>*~p7?(16x5%yBRHJ&G"
    "Ja>o&LArCC-`0!Jwt=|4${UHlHrKxCNSD_`8DCzE<acNS<)S1tVlLZK5M%rKSF1c@1uks!iw"
    "TRip`NL_H0*nC$>Jm!}dP;wEx8#GACr;<@Z_nEor}j7xZq@R)Le09ZxlYeD<nN5oE5K&!~<s"
    "s*Z)|QG-$WbM_)bJJqF7OrZUB-voY*+I$lMOenz`*3__4ff^lz@dY}3ne;pPeueT;*q|4DZ`"
    "U5{j6-oJQe!5CRpKq#ek?PRCGm3cbHXgM?4iIEdG(|?r>UMUPt{$eo#0)nN2Dz$nY>3E3_rl"
    "u@J=*zjIb>871nJUUolW`6Rxv8?j~`+5Y$1!iuL$B33~~wkvB-|5OM<3CkEx<WfY1yO9o24&"
    "G!-CMW}f$e3W>ExR<b9Q0QP%yzDgcUL?M5Q|Q9JcF)kE(lZR~s?+1`L%wD=uEIZab+ck!3{M"
    "a)S{k{?dsM9lK7nR_K>fXkRT^cxdTqkP(~>$+SM^@LkEdM>h#8LdE)ou=Dw~Yf`#eV+{98!N"
    "5MBrDi>JNEhWW9KHy*Zb=CKnubL&UH_hZf95Ao;ybt`><7SDy&??L-0TK-mB?F%m%`|dLOWe"
    "~oLy*MA0y$og$bMhK_hpZ3xrOB-*znrq!38>O0I%d@H1|HIO8m~u_yi9VZm03McF)o`>9UB-"
    "-D;YJtoAcx}@;x+Z^*#<0o=i6(OSkS;EP0VW#tEmSP@8{gckFAW4Y|%V?&nPx&d{|~;z-~kQ"
    "bzGHmHIO)T;GYN-p-ramiEW4^(q+HkdDR95q_04-#yCp3ZB?qAz(W!Z_P1?Z_hBC2PtwX92}"
    "#g$GI6giyYa%7deGLH=UCH=Oe*jFBO7)Zoa_L?vU89cipe-O^5xL89P9cVQj{^X>uAOvPp72"
    "jJewCv%^eqMG0{!cxa<teYjC6(9VAn$?;}<{AIee8GdW=>kQ#qZ0C=$Ue}==tbD_+7{{^6&>"
    "kfW@jcHy%ZWSMbhpQ}kg%=LIK~Z+d`38%@G;#5_)~VumuR4n0)GTvbB}VAH2w#8B4T?#HCv>"
    "1MYsk(OFu3sy{Uz3QLXTb0{r7*g-X9rS-0EpbKP0}`>e;x-)7VQY1zN}?rd2"
)
# Rows: the class before, columns: the class after, in libunistring 1.0's order
# WJ GL B2 BA BB HY CL CP1 CP2 EX IN NS OP1 OP2 QU IS NU PO PR SY AL H2 H3 ID1 ID2
# JL JV JT HL RI ZWJ EB EM; 1 = break, 2 = break only after spaces, 3 = no break.
_PAIR_TABLE = (
    "322222333322222322232222222222222",
    "322222333322222322232222222222222",
    "323212333322112311131111111111111",
    "311212333322112311131111111111111",
    "322222333322222322232222222222222",
    "311212333322112321131111111111111",
    "321212333323112312231111111111111",
    "321212333322112322232111111121211",
    "321212333322112312231111111111111",
    "321212333322112311131111111111111",
    "321212333322112311131111111111111",
    "321212333322112311131111111111111",
    "333333333333333333333333333333333",
    "333333333333333333333333333333333",
    "322222333322332322232222222222222",
    "321212333322112321131111111111111",
    "321212333322212322232111111121211",
    "321212333322222321132111111121211",
    "321212333322222321132222222221222",
    "321212333322112321131111111121111",
    "321212333322212322232111111121211",
    "321212333322112312131111112211111",
    "321212333322112312131111111211111",
    "321212333322112312131111111111111",
    "321212333322112312131111111111112",
    "321212333322112312131221122111111",
    "321212333322112312131111112211111",
    "321212333322112312131111111211111",
    "321212333322212322232111111121211",
    "321212333322112311131111111111111",
    "321212333322212322232112211121222",
    "321212333322112312131111111111112",
    "321212333322112312131111111111111",
)

# Line break classes (libunistring 1.0, unilbrk/lbrktables.h).
_HY, _BA, _HL, _RI, _ZWJ, _AL = 5, 3, 28, 29, 30, 20
_BK, _CR, _LF, _CM, _ZW, _SP = 33, 34, 35, 36, 37, 38
_HL_BA = 100  # artificial: Hebrew letter followed by HY or BA (LB21a)

# Break values.
_PROHIBITED, _POSSIBLE, _MANDATORY, _CR_BEFORE_LF = 1, 2, 3, 5


def _expand(blob: str) -> bytes:
    """One byte per code point from a run-length encoded table."""
    raw = zlib.decompress(base64.b85decode(blob))
    out = bytearray()
    i, n = 0, len(raw)
    while i < n:
        length = shift = 0
        while True:
            byte = raw[i]
            i += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        out += bytes((raw[i],)) * length
        i += 1
    if len(out) != 0x110000:  # pragma: no cover - corrupted table
        raise RuntimeError("bad Unicode table")
    return bytes(out)


_CLASS = _expand(_LINEBREAK_CLASSES)
_WIDTH_PLUS_1 = _expand(_WIDTHS)
_TABLE = tuple(tuple(int(c) for c in row) for row in _PAIR_TABLE)
# Columns a character takes (uc_width; control characters, -1 there, count 0).
_COLUMNS = _WIDTH_PLUS_1.translate(bytes((0, 0, 1, 2)) + bytes(252))


def _possible_linebreaks(text: str) -> bytearray:
    """Break opportunity before each character of `text`, as libunistring 1.0
    `u8_possible_linebreaks_v2` computes it (UAX #14 with its deviations)."""
    table = _TABLE
    result = bytearray((_PROHIBITED,)) * len(text)
    prev_prop = _BK  # class of the previous character
    last_prop = _BK  # class of the last character that is not a space
    seen_space = False
    ri_count = 0
    for i, prop in enumerate(map(_CLASS.__getitem__, map(ord, text))):
        if prop < _BK and prop != _ZWJ:  # a class of the pair table
            if last_prop < _BK:  # neither at the start nor after a zero width space
                if prev_prop == _ZWJ or prev_prop == _HL_BA:
                    pass  # LB8a, LB21a
                elif prop == _RI and last_prop == _RI:  # LB30a
                    if seen_space or ri_count % 2 == 0:
                        result[i] = _POSSIBLE
                else:
                    rule = table[last_prop][prop]
                    if rule == 1 or (rule == 2 and seen_space):
                        result[i] = _POSSIBLE
            elif last_prop == _ZW:
                result[i] = _POSSIBLE
            last_prop = prop
            seen_space = False
        elif prop == _SP:
            seen_space = True
        elif prop == _CM or prop == _ZWJ:  # LB9, LB10
            if last_prop == _BK:
                last_prop = _AL
                seen_space = False
            elif last_prop == _ZW or seen_space:
                result[i] = _POSSIBLE
                last_prop = _AL
                seen_space = False
        elif prop == _ZW:
            last_prop = _ZW
            seen_space = False
        else:  # BK, CR, LF: a mandatory break
            result[i] = _MANDATORY
            if prev_prop == _CR and prop == _LF:
                result[i - 1] = _CR_BEFORE_LF
            prev_prop = prop
            last_prop = _BK
            seen_space = False
            ri_count = 0
            continue
        prev_prop = _HL_BA if prev_prop == _HL and (prop == _HY or prop == _BA) else prop
        ri_count = ri_count + 1 if prop == _RI else 0
    return result


def _break_opportunities(text: str, overrides: list[int | None] | None) -> bytearray:
    breaks = _possible_linebreaks(text)
    if overrides is not None:
        for i, override in enumerate(overrides):
            if override is not None:
                breaks[i] = override
    return breaks


def _width_linebreaks(text: str, width: int, start_column: int,
                      breaks: bytearray) -> list[int]:
    """Indices of `text` before which a line break goes, as libunistring 1.0
    `u8_width_linebreaks_v2` computes it from the break opportunities: greedy,
    pieces between break opportunities are never split."""
    inserted: list[int] = []
    last_p = -1
    last_column = start_column
    piece_width = 0
    columns = map(_COLUMNS.__getitem__, map(ord, text))
    for i, (brk, w) in enumerate(zip(breaks, columns, strict=True)):
        if brk != _PROHIBITED:
            if last_p >= 0 and last_column + piece_width > width:
                inserted.append(last_p)
                last_column = 0
            if brk != _POSSIBLE:  # mandatory: a new line starts at column 0
                last_p = -1
                last_column = 0
                piece_width = 0
                continue
            last_p = i
            last_column += piece_width
            piece_width = 0
        piece_width += w
    if last_p >= 0 and last_column + piece_width > width:
        inserted.append(last_p)
    return inserted


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

_ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v",
            "\\": "\\", '"': '"'}
_NEEDS_ESCAPE = re.compile(r'[\a\b\f\n\r\t\v\\"]')
_PORTION = re.compile(r"[^\n]*\n|[^\n]+")

# gettext 0.21's format_language[] order (format.c).
_FORMAT_LANGUAGES = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp",
    "javascript", "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua",
    "object-pascal", "smalltalk", "qt", "qt-plural", "kde", "kde-kuit", "boost",
    "tcl", "perl", "perl-brace", "php", "gcc-internal", "gfc-internal", "ycp",
)
_FORMAT_FLAG = re.compile(r"(no-|possible-|impossible-)?(" + "|".join(map(re.escape,
                                                                          _FORMAT_LANGUAGES))
                          + r")-format")
_RANGE_FLAG = re.compile(r"range: ([0-9]+)\.\.([0-9]+)")


def _display_width(text: str) -> int:
    if text.isascii():
        return len(text)  # at most: control characters count 0
    return sum(map(_COLUMNS.__getitem__, map(ord, text)))


UNHOLDABLE = {"\0": "NUL", "\x04": "EOT"}
"""The characters no catalog string can hold, by name: gettext ends a string at
NUL and, in a compiled catalog, joins msgctxt and msgid with EOT."""


def unholdable_character(text: str) -> str | None:
    """A character of `UNHOLDABLE` in `text`; None when it has none."""
    for char in UNHOLDABLE:
        if char in text:
            return char
    return None


def unholdable_message(what: str, text: str, char: str) -> str:
    """How messages say that `text` (a `what`: `paragraph`, `UI string`) holds
    `char`, a character of `UNHOLDABLE`."""
    return (f"{what} {text[:40]!r} contains the control character U+{ord(char):04X} "
            f"({UNHOLDABLE[char]}), which a gettext catalog cannot hold; remove it")


def _wrap(out: list[str], prefix: str, name: str, value: str, do_wrap: bool = True) -> None:
    """Append the lines of `name "value"` to `out`, as write-po.c's wrap()."""
    if unholdable_character(value) is not None:
        raise CatalogError(f"{name} {value[:40]!r} contains a NUL or EOT character, which a "
                           "catalog cannot hold")
    portions = _PORTION.findall(value) or [""]
    after_break = len(prefix) + 1
    width = (PAGE_WIDTH if do_wrap else 1 << 30) - 1 - after_break
    first_line = True
    last = len(portions) - 1
    for n, portion in enumerate(portions):
        if _NEEDS_ESCAPE.search(portion):
            escaped = []
            overrides: list[int | None] | None = []
            for ch in portion:
                esc = _ESCAPES.get(ch)
                if esc is None:
                    escaped.append(ch)
                    overrides.append(None)
                else:
                    escaped.append("\\" + esc)
                    overrides += (None, _PROHIBITED)
            text = "".join(escaped)
            if portion.endswith("\n"):
                overrides[-2] = _PROHIBITED  # never break right before a final \n
        else:
            text = portion
            overrides = None
        startcol = len(name) + 1 if first_line else 0
        columns = _display_width(text)
        opportunities = None
        if startcol + columns <= width:
            breaks: list[int] = []  # fits: no break can be needed
        else:
            opportunities = _break_opportunities(text, overrides)
            breaks = _width_linebreaks(text, width, startcol, opportunities)
        if first_line and text and (n != last or startcol > width or breaks):
            out.append(f'{prefix}{name} ""')
            first_line = False
            startcol = 0
            if columns <= width:
                breaks = []
            else:
                if opportunities is None:
                    opportunities = _break_opportunities(text, overrides)
                breaks = _width_linebreaks(text, width, 0, opportunities)
        head = f"{prefix}{name} " if first_line else prefix
        first_line = False
        start = 0
        pieces = []
        for b in breaks:
            pieces.append(text[start:b])
            start = b
        pieces.append(text[start:])
        out.append(head + '"' + f'"\n{prefix}"'.join(pieces) + '"')


def _comment_lines(out: list[str], mark: str, text: str | None) -> None:
    if not text:
        return
    # None could be read back: gettext cuts a comment at NUL, a CR before the
    # line end is a CRLF file's line end, and a backslash there joins two lines.
    if "\0" in text:
        raise CatalogError(f"comment {text[:40]!r} contains a NUL character, which a catalog "
                           "cannot hold")
    if "\r\n" in text or text.endswith("\r"):
        raise CatalogError(f"comment {text[:40]!r} has a line ending in a carriage return, "
                           "which a catalog cannot hold")
    if any(line.endswith("\\") for line in text.split("\n")):
        raise CatalogError(f"comment {text[:40]!r} has a line ending in a backslash, which "
                           "gettext would join with the line after it")
    for line in text.split("\n"):
        out.append(f"{mark} {line}" if line else mark)


def _reference_lines(out: list[str], occurrences: Iterable) -> None:
    seen: set[tuple[str, str]] = set()
    refs: list[str] = []
    for occurrence in occurrences:
        if isinstance(occurrence, str):
            file, line = occurrence, ""
        else:
            file, line = occurrence[0], occurrence[1] if len(occurrence) > 1 else ""
        line = "" if line is None else str(line)
        if line and not (line.isascii() and line.isdigit()):
            raise CatalogError(f"reference {file!r} has a line number that is not a number: "
                               f"{line!r}")
        key = (file, str(int(line)) if line else "")
        if key in seen:
            continue
        seen.add(key)
        while file.startswith("./"):
            file = file[2:]
        refs.append(f"{file}:{key[1]}" if key[1] else file)
    if not refs:
        return
    current = "#:"
    column = 2
    for ref in refs:
        length = len(ref.encode("utf-8")) + 1  # gettext counts bytes here
        if column > 2 and column + length > PAGE_WIDTH:
            out.append(current)
            current = "#:"
            column = 2
        current += " " + ref
        column += length
    out.append(current)


_FLAG_TOKEN = re.compile(r"[^\n \t\r\f\v,]+")


def _flag_tokens(text: str) -> list[str]:
    """The flags of a `#,` line, split as gettext splits them (at commas and
    blanks; `range:` takes the next token)."""
    tokens = _FLAG_TOKEN.findall(text)
    flags = []
    i = 0
    while i < len(tokens):
        if tokens[i] == "range:" and i + 1 < len(tokens):
            flags.append(f"range: {tokens[i + 1]}")
            i += 2
        else:
            flags.append(tokens[i])
            i += 1
    return flags


class _Flags:
    """An entry's flags as gettext understands them."""

    __slots__ = ("fuzzy", "formats", "range", "do_wrap")

    def __init__(self, flags: Iterable[str]):
        self.fuzzy = False
        self.formats: dict[str, str] = {}
        self.range: tuple[int, int] | None = None
        self.do_wrap = True
        for flag in _flag_tokens(", ".join(flags)):
            if flag == "fuzzy":
                self.fuzzy = True
            elif flag == "wrap":
                self.do_wrap = True
            elif flag == "no-wrap":
                self.do_wrap = False
            elif (m := _FORMAT_FLAG.fullmatch(flag)) is not None:
                self.formats[m.group(2)] = m.group(1) or ""
            elif (m := _RANGE_FLAG.fullmatch(flag)) is not None:
                low, high = int(m.group(1)), int(m.group(2))
                if low <= high:
                    self.range = (low, high)

    def line(self, fuzzy: bool, with_range: bool) -> str | None:
        words = ["fuzzy"] if fuzzy else []
        for language in _FORMAT_LANGUAGES:
            kind = self.formats.get(language)
            if kind is None or kind == "impossible-":
                continue
            words.append(f"no-{language}-format" if kind == "no-" else f"{language}-format")
        if with_range and self.range is not None:
            words.append(f"range: {self.range[0]}..{self.range[1]}")
        if not self.do_wrap:
            words.append("no-wrap")
        return "#, " + ", ".join(words) if words else None


def _is_plural(entry: polib.POEntry) -> bool:
    return bool(entry.msgid_plural) or bool(entry.msgstr_plural)


def _plural_forms(entry: polib.POEntry) -> list[str]:
    forms = entry.msgstr_plural or {}
    indices = sorted(int(k) for k in forms)
    if indices != list(range(len(indices))):
        raise CatalogError(f"plural entry {entry.msgid!r} has msgstr indices {indices}, "
                           "not 0, 1, ...")
    return [forms[i] if i in forms else forms[str(i)] for i in indices] or [""]


def _first_msgstr(entry: polib.POEntry) -> str:
    return _plural_forms(entry)[0] if _is_plural(entry) else (entry.msgstr or "")


def kept_when_obsolete(entry: polib.POEntry) -> bool:
    """True when the entry, obsolete, is written: as msgcat, an obsolete entry
    without a translation (its first form empty) is dropped."""
    return _first_msgstr(entry) != ""


def _format_entry(out: list[str], entry: polib.POEntry) -> None:
    obsolete = bool(entry.obsolete)
    flags = _Flags(entry.flags or ())
    _comment_lines(out, "#", entry.tcomment)
    _comment_lines(out, "#.", entry.comment)
    _reference_lines(out, entry.occurrences or ())
    line = flags.line(flags.fuzzy and _first_msgstr(entry) != "", with_range=not obsolete)
    if line:
        out.append(line)
    prev = "#~| " if obsolete else "#| "
    if entry.previous_msgctxt is not None:
        _wrap(out, prev, "msgctxt", entry.previous_msgctxt, flags.do_wrap)
    if entry.previous_msgid is not None:
        _wrap(out, prev, "msgid", entry.previous_msgid, flags.do_wrap)
    if entry.previous_msgid_plural is not None:
        _wrap(out, prev, "msgid_plural", entry.previous_msgid_plural, flags.do_wrap)
    prefix = "#~ " if obsolete else ""
    if entry.msgctxt is not None:
        _wrap(out, prefix, "msgctxt", entry.msgctxt, flags.do_wrap)
    _wrap(out, prefix, "msgid", entry.msgid or "", flags.do_wrap)
    if _is_plural(entry):
        _wrap(out, prefix, "msgid_plural", entry.msgid_plural or "", flags.do_wrap)
        for i, form in enumerate(_plural_forms(entry)):
            _wrap(out, prefix, f"msgstr[{i}]", form, flags.do_wrap)
    else:
        _wrap(out, prefix, "msgstr", entry.msgstr or "", flags.do_wrap)


# The header entry's msgstr as read, kept on the POFile: polib's `metadata`
# dict loses a repeated field's first value, the blanks of a value and
# whether the last line ends in `\n`, all of which msgcat and msgmerge keep.
_HEADER_TEXT = "bilingual_header_text"


def header_fields(text: str) -> dict[str, str]:
    """The fields of a header entry's msgstr, as gettext reads them: `Name:
    value` lines, values without surrounding blanks, a line without a colon
    continuing the field before it; a repeated field keeps its last value."""
    fields: dict[str, str] = {}
    name = None
    for line in text.split("\n"):
        if ":" in line:
            name, value = line.split(":", 1)
            fields[name] = value.strip()
        elif name is not None and line.strip():
            fields[name] += "\n" + line.strip()
    return fields


def set_header_text(po: polib.POFile, text: str) -> None:
    """Give `po` the header msgstr `text`, written as it is; `po.metadata`
    becomes its fields (`header_fields`)."""
    setattr(po, _HEADER_TEXT, text)
    po.metadata = header_fields(text)


def header_text(po: polib.POFile) -> str:
    """The header entry's msgstr `format_catalog` writes: the text read or set
    (`set_header_text`) while `po.metadata` still holds its fields, else one
    `Name: value` line per field of `po.metadata`."""
    text = getattr(po, _HEADER_TEXT, None)
    # Code that changes `po.metadata` itself is obeyed: the text no longer says it.
    if text is not None and header_fields(text) == po.metadata:
        return text
    return "".join(f"{key}: {value}\n" for key, value in (po.metadata or {}).items())


def with_header_field(text: str, name: str, value: str) -> str:
    """Header msgstr `text` with field `name` set to `value`: each line of the
    field whose value differs is rewritten, every other byte kept; a missing
    field is added at the end."""
    lines = text.split("\n")
    found = False
    for index, line in enumerate(lines):
        if line.split(":", 1)[0] == name and ":" in line:
            found = True
            if line.split(":", 1)[1].strip() != value:
                lines[index] = f"{name}: {value}"
    if found:
        return "\n".join(lines)
    return text + ("" if text.endswith("\n") or not text else "\n") + f"{name}: {value}\n"


def format_catalog(po: polib.POFile) -> str:
    """Serialise `po` exactly as GNU msgcat 0.21 (default options) writes it.

    The header entry comes from `po.header` (its translator comment),
    `po.metadata` (fields, in order) and `po.metadata_is_fuzzy`. See the module
    docstring for the rules and the few deviations. Returns "" for an empty
    catalog. Raises `CatalogError` for a catalog msgcat would reject: two
    entries with the same msgctxt and msgid (live or obsolete), a NUL or EOT
    character, plural forms that are not numbered 0, 1, ..., a reference
    whose line number is not a number.
    """
    blocks: list[list[str]] = []
    header_fuzzy = bool(po.metadata_is_fuzzy)
    msgstr = header_text(po)
    if msgstr or po.header or header_fuzzy:
        out: list[str] = []
        _comment_lines(out, "#", po.header)
        if header_fuzzy and msgstr:
            out.append("#, fuzzy")
        out.append('msgid ""')
        _wrap(out, "", "msgstr", msgstr)
        blocks.append(out)
    # msgcat writes obsolete entries last and drops those without a translation.
    written = [e for e in po if not e.obsolete]
    written += [e for e in po if e.obsolete and kept_when_obsolete(e)]
    seen = {(None, "")} if blocks else set()
    for entry in written:
        key = (entry.msgctxt, entry.msgid or "")
        if key in seen:
            what = f"msgid {entry.msgid!r}" + (f" (msgctxt {entry.msgctxt!r})"
                                               if entry.msgctxt is not None else "")
            raise CatalogError(f"duplicate message definition: {what}")
        seen.add(key)
        out = []
        _format_entry(out, entry)
        blocks.append(out)
    return "\n".join("\n".join(block) + "\n" for block in blocks)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

_CHARSET = re.compile(rb"charset=([^\s\"\\]+)")


def _declared_charset(data: bytes) -> tuple[str | None, int]:
    """The charset the header entry declares, and the 1-based line it is on."""
    lines = data.split(b"\n")
    in_header = False
    previous_keyword = b""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):].strip()
        if in_header:
            if line.startswith(b'"') or line.startswith(b"msgstr"):
                m = _CHARSET.search(line)
                if m is not None:
                    return m.group(1).decode("ascii", "replace"), number
                continue
            if not line:
                continue
            return None, number
        if line.startswith(b"msgid") and line[5:].strip() == b'""' \
                and previous_keyword != b"msgctxt":
            in_header = True
        if line[:1].isalpha():
            previous_keyword = line.split(None, 1)[0].split(b'"', 1)[0]
        elif line.startswith(b"#"):
            previous_keyword = b""
    return None, 0


def decode_catalog(data: bytes, path: Path | str) -> str:
    """Decode the bytes of a catalog in the charset its header declares.

    A UTF-8 byte order mark means UTF-8. Otherwise the `charset=` of the
    header's Content-Type line is used (no header, or the template placeholder
    `CHARSET`: UTF-8). Raises `CatalogError` with the line for an unknown or
    unsupported charset, for bytes that are not valid in it, and for UTF-16
    text (`sources.is_utf16`).
    """
    if is_utf16(data):
        # gettext cannot read it either; its bytes would be called invalid UTF-8.
        raise CatalogError(UTF16_MESSAGE, path, 1)
    charset, charset_line = _declared_charset(data)
    if data.startswith(codecs.BOM_UTF8):
        if charset is not None and _codec_name(charset) not in (None, "utf-8"):
            raise CatalogError(f"file starts with a UTF-8 byte order mark "
                               f"but declares charset={charset}", path, charset_line)
        encoding = "utf-8"
        data = data[len(codecs.BOM_UTF8):]
    else:
        if charset is None or charset.upper() == "CHARSET":
            encoding = "utf-8"
        else:
            encoding = _codec_name(charset)  # type: ignore[assignment]
            if encoding is None:
                raise CatalogError(f"unknown or unsupported charset {charset!r} in "
                                   "Content-Type", path, charset_line)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CatalogError(f"invalid {encoding} byte sequence {data[exc.start:exc.end]!r}"
                           f" (the header declares charset={charset or 'UTF-8'})",
                           path, line) from None


def _codec_name(charset: str) -> str | None:
    """Python codec for a gettext charset name; None if unknown or not ASCII-based."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return None
    name = info.name
    if name.startswith(("utf-16", "utf-32", "utf_16", "utf_32")) or name == "utf-8-sig":
        return None if name != "utf-8-sig" else "utf-8"
    return name


_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[([0-9]+)\])?)(?=[\s\"]|\Z)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\[\]]*")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v",
                   "a": "\a", "\\": "\\", '"': '"'}
_OCTAL = re.compile(r"[0-7]{1,3}")
_PLAIN_RUN = re.compile(r'[^"\\]*')
"""Text up to the next quote or backslash."""
_HEX = re.compile(r"x([0-9A-Fa-f]+)")
_ONE_PLAIN_STRING = re.compile(r'[ \t\f\v\r]*"([^"\\\0\x04]*)"[ \t\f\v\r]*')
"""A line's strings when they are one string without escapes (nor NUL or EOT,
which are errors): most lines of most catalogs."""


class _Lexer:
    """Line-level lexical analysis of one catalog, with GNU msgfmt's rules."""

    def __init__(self, path: Path | str, encoding: str):
        self.path = path
        self.encoding = encoding

    def error(self, message: str, line: int) -> CatalogError:
        return CatalogError(message, self.path, line)

    def strings(self, text: str, line: int) -> list[str]:
        """The strings in `text` (one or more "..." separated by whitespace)."""
        plain = _ONE_PLAIN_STRING.fullmatch(text)
        if plain is not None:
            return [plain.group(1)]
        result = []
        i, n = 0, len(text)
        while True:
            while i < n and text[i] in " \t\f\v\r":
                i += 1
            if i == n:
                break
            if text[i] != '"':
                if text[i] == "#":
                    raise self.error("a comment cannot follow a string on the same line", line)
                raise self.error(f"syntax error: unexpected {text[i:i + 20]!r} after a string"
                                 if result else
                                 f"syntax error: expected a string, found {text[i:i + 20]!r}",
                                 line)
            i, value = self.string(text, i + 1, line)
            result.append(value)
        if not result:
            raise self.error("syntax error: keyword without a string", line)
        return result

    def string(self, text: str, i: int, line: int) -> tuple[int, str]:
        """Lex one string whose opening quote is before `i`; return (end, value)."""
        parts: list[str | bytes] = []
        n = len(text)
        start = i
        while True:
            j = _PLAIN_RUN.match(text, i).end()  # type: ignore[union-attr]
            if j > start:
                parts.append(text[start:j])
            if j >= n:
                raise self.error("end-of-line within string", line)
            if text[j] == '"':
                break
            # A backslash.
            if j + 1 >= n:
                raise self.error("end-of-line within string", line)
            c = text[j + 1]
            if c in _SIMPLE_ESCAPES:
                parts.append(_SIMPLE_ESCAPES[c])
                start = i = j + 2
            elif (m := _OCTAL.match(text, j + 1)) is not None:
                parts.append(bytes((int(m.group(), 8) & 0xFF,)))
                start = i = m.end()
            elif (m := _HEX.match(text, j + 1)) is not None:
                parts.append(bytes((int(m.group(1), 16) & 0xFF,)))
                start = i = m.end()
            else:
                raise self.error(f"invalid control sequence \\{c}", line)
        if any(isinstance(p, bytes) for p in parts):
            try:
                raw = b"".join(p if isinstance(p, bytes) else p.encode(self.encoding)
                               for p in parts)
                value = raw.decode(self.encoding)
            except (UnicodeEncodeError, UnicodeDecodeError):
                raise self.error(f"octal or hex escapes do not form valid {self.encoding}",
                                 line) from None
        else:
            value = "".join(parts)  # type: ignore[arg-type]
        if "\0" in value:
            raise self.error("NUL character within string", line)
        if "\x04" in value:
            raise self.error("context separator <EOT> within string", line)
        return j + 1, value


class _Entry:
    """An entry being assembled."""

    def __init__(self, line: int):
        self.line = line
        self.tcomments: list[str] = []
        self.comments: list[str] = []
        self.occurrences: list[tuple[str, str]] = []
        self.flags: list[str] = []
        self.fields: dict[str, str] = {}
        self.plural: list[str] = []
        self.obsolete: bool | None = None
        self.state = "comments"
        self.plural_line = 0
        self.msgid_line = 0


# Which keyword may follow which state; a state is the last keyword seen.
_FOLLOWS = {
    "prev_msgctxt": {"comments", "msgstr", "msgstr[]"},
    "prev_msgid": {"comments", "msgstr", "msgstr[]", "prev_msgctxt"},
    "prev_msgid_plural": {"prev_msgid"},
    "msgctxt": {"comments", "msgstr", "msgstr[]", "prev_msgid", "prev_msgid_plural"},
    "msgid": {"comments", "msgstr", "msgstr[]", "prev_msgid", "prev_msgid_plural",
              "msgctxt"},
    "msgid_plural": {"msgid"},
    "msgstr": {"msgid"},
    "msgstr[]": {"msgid_plural", "msgstr[]"},
}
_COMPLETE = {"msgstr", "msgstr[]"}


_REFERENCE = re.compile(r"[^ \t\n]+")
_LINE_NUMBER = re.compile(r"[ \t\n]*:[ \t\n]*([0-9]+)(?=[ \t\n]|\Z)")
_SPACED_NUMBER = re.compile(r"[ \t\n]*([0-9]+)(?=[ \t\n]|\Z)")
_GLUED_NUMBER = re.compile(r"(.+):([0-9]+)\Z", re.DOTALL)


def _references(text: str) -> list[tuple[str, str]]:
    """The (file, line) pairs of a `#:` line, as gettext's po_parse_comment_filepos
    finds them: `file:12`, `file :12`, `file: 12`, or `file` without a line."""
    found = []
    i = 0
    while (m := _REFERENCE.search(text, i)) is not None:
        name, i = m.group(), m.end()
        if (n := _LINE_NUMBER.match(text, i)) is not None:
            found.append((name, n.group(1)))
            i = n.end()
        elif name.endswith(":") and (n := _SPACED_NUMBER.match(text, i)) is not None:
            found.append((name[:-1], n.group(1)))
            i = n.end()
        elif (g := _GLUED_NUMBER.match(name)) is not None:
            found.append((g.group(1), g.group(2)))
        else:
            found.append((name, ""))
    return found


def _strip_one_space(text: str) -> str:
    return text[1:] if text.startswith(" ") else text


def _add_comment(entry: _Entry, line: str) -> None:
    """Add a comment line (`#`, `#.`, `#:`, `#,` or `#!`, without leading blanks) to `entry`."""
    mark = line[1:2]
    if mark == ".":
        entry.comments.append(_strip_one_space(line[2:]))
    elif mark == ":":
        entry.occurrences += _references(line[2:])
    elif mark == "," or mark == "!":
        # As in GNU gettext, a later "#," line replaces an earlier one.
        entry.flags = _flag_tokens(line[2:])
    else:
        entry.tcomments.append(_strip_one_space(line[1:]))


_PLAIN_STRING = r'"[^"\\\n\r\0\x04]*(?:\\[\\"ntbrfva][^"\\\n\r\0\x04]*)*"'
_PLAIN_ENTRY = re.compile(
    r"((?:#(?:[.:, \t][^\n\r\\\0]*)?\n)*)"
    rf"(?:msgctxt ({_PLAIN_STRING}(?:\n{_PLAIN_STRING})*)\n)?"
    rf"msgid ({_PLAIN_STRING}(?:\n{_PLAIN_STRING})*)\n"
    rf"msgstr ({_PLAIN_STRING}(?:\n{_PLAIN_STRING})*)(?:\n|\Z)\n*")
"""One entry as `update` writes most of them, with the blank lines after it:
comments, references and flags, an optional msgctxt, msgid and msgstr, each
keyword at the start of its line and its strings on lines of their own,
with only the escapes that stand for one character."""
_ESCAPE = re.compile(r"\\(.)")


def _plain_value(strings: str) -> str:
    """The value of a `_PLAIN_STRING` and its continuation lines."""
    # Inside a plain string no newline follows a quote, so '"\n"' only joins two strings.
    value = strings[1:-1].replace('"\n"', "")
    if "\\" in value:
        value = _ESCAPE.sub(lambda m: _SIMPLE_ESCAPES[m.group(1)], value)
    return value


def _plain_entries(text: str) -> list[_Entry] | None:
    """The entries of a catalog made only of `_PLAIN_ENTRY`s (after leading
    blank lines), as the line-by-line parser would assemble them; None for
    any other catalog, which that parser then reads (and, if need be, rejects).
    Reading a whole entry with one match takes a fraction of the time."""
    start = len(text) - len(text.lstrip("\n"))
    number = 1 + start
    entries = []
    while start < len(text):
        m = _PLAIN_ENTRY.match(text, start)
        if m is None:
            return None
        comments, msgctxt, msgid, msgstr = m.groups()
        entry = _Entry(number)
        for line in comments.split("\n")[:-1]:
            _add_comment(entry, line)
        entry.obsolete = False
        entry.state = "msgstr"
        entry.msgid_line = number + comments.count("\n")
        if msgctxt is not None:
            entry.fields["msgctxt"] = _plain_value(msgctxt)
            entry.msgid_line += msgctxt.count("\n") + 1
        entry.fields["msgid"] = _plain_value(msgid)
        entry.fields["msgstr"] = _plain_value(msgstr)
        entries.append(entry)
        number += text.count("\n", start, m.end())
        start = m.end()
    return entries


@dataclass(frozen=True, slots=True)
class PlainMessage:
    """What applying translations reads of one live entry (`plain_messages`)."""

    msgctxt: str | None
    msgid: str
    msgstr: str
    flags: tuple[str, ...]
    line: int
    """1-based line where the entry starts (its first comment), as `linenum`."""


def plain_messages(text: str) -> list[PlainMessage] | None:
    """The live entries of a decoded catalog made only of `_PLAIN_ENTRY`s, the
    header left out, as `parse_catalog` would give them; None for any other
    catalog (and for one with an entry twice), which `parse_catalog` then
    reads or rejects. Builds read thousands of catalogs only for their
    strings and flags: this makes no `polib` entry and reads no comment but
    the flags."""
    if text.startswith(_BOM):
        return None
    start = len(text) - len(text.lstrip("\n"))
    number = 1 + start
    messages = []
    seen: set[tuple[str | None, str]] = set()
    header_seen = False
    while start < len(text):
        m = _PLAIN_ENTRY.match(text, start)
        if m is None:
            return None
        comments, msgctxt, msgid, msgstr = m.groups()
        flags: list[str] = []
        if comments:
            for line in comments.split("\n")[:-1]:
                if line[1:2] in (",", "!"):
                    flags = _flag_tokens(line[2:])  # a later line replaces an earlier one
        context = _plain_value(msgctxt) if msgctxt is not None else None
        key = (context, _plain_value(msgid))
        if key in seen:
            return None  # a duplicate: the full reader names both lines
        seen.add(key)
        if context is None and key[1] == "" and not header_seen:
            header_seen = True
        else:
            messages.append(PlainMessage(context, key[1], _plain_value(msgstr), tuple(flags),
                                         number))
        number += text.count("\n", start, m.end())
        start = m.end()
    return messages


_LONE_CARRIAGE_RETURN = re.compile("\r(?!\n)")


def parse_catalog(text: str, path: Path | str) -> polib.POFile:
    """Parse the text of a catalog strictly into a `polib.POFile`.

    Accepts everything GNU tools write: a UTF-8 BOM, CRLF line ends, contexts,
    plurals, previous fields (`#|`, `#~|`), obsolete entries (`#~`), a fuzzy
    header, all of gettext's escapes (`\\a` ... `\\v`, octal, hex), and reads
    comments, flags and references the way gettext does (one space after `#`
    is not part of a comment; a later `#,` line replaces an earlier one;
    `file:12`, `file`). `path` is only used in messages.

    Raises `CatalogError` with the 1-based line for anything msgfmt rejects:
    an unterminated string (msgfmt names the line after it, this names the
    string's own line), an invalid escape sequence (`\\q`, but also `\\'`
    and `\\?`), NUL or EOT in a string, an unknown keyword or keywords out of
    order, a comment between msgid and msgstr, a mix of `#~` and live lines in
    one entry, plural forms numbered wrongly, two entries (live or obsolete)
    with the same msgctxt and msgid, an unknown charset, and live plural
    entries whose number of msgstr[N] disagrees with the header's
    `Plural-Forms: nplurals=N` (two, msgfmt's default, without one). Stricter than
    msgfmt, as these are signs of a damaged file: a string continuation line
    after a blank line, a keyword whose string is not on its line, a `\\`
    outside a string, `#~ #~`, a carriage return without a line feed after it.
    """
    if text.startswith(_BOM):
        text = text[1:]
    if (lone := _LONE_CARRIAGE_RETURN.search(text)) is not None:
        # Read as gettext reads it, a file saved with CR line ends is one
        # comment: `update` found no entry in it and wrote every one anew,
        # empty, and a CR inside a comment hid the line after it.
        raise CatalogError("a carriage return without a line feed after it (line ends of "
                           "old Macs, or CRLF converted twice?); save the file with LF "
                           "(or CRLF) line ends", path, text.count("\n", 0, lone.start()) + 1)
    declared, declared_line = _declared_charset(text.encode("utf-8", "replace"))
    encoding = "utf-8"
    if declared is not None and declared.upper() != "CHARSET":
        encoding = _codec_name(declared)  # type: ignore[assignment]
        if encoding is None:
            raise CatalogError(f"unknown or unsupported charset {declared!r} in Content-Type",
                               path, declared_line)
    lexer = _Lexer(path, encoding)
    po = polib.POFile(wrapwidth=PAGE_WIDTH, encoding=encoding)
    po.fpath = str(path)
    po.header = ""
    po.metadata = {}
    po.metadata_is_fuzzy = []
    entries: list[tuple[_Entry, polib.POEntry]] = []
    seen: dict[tuple[str | None, str], int] = {}
    header_entry: _Entry | None = None

    def finish(entry: _Entry) -> None:
        nonlocal header_entry
        f = entry.fields
        msgctxt = f.get("msgctxt")
        msgid = f["msgid"]
        # Like msgfmt: live and obsolete entries share one key space.
        key = (msgctxt, msgid)
        if key in seen:
            raise lexer.error(f"duplicate message definition (first defined at line "
                              f"{seen[key]})", entry.msgid_line)
        seen[key] = entry.msgid_line
        if not entry.obsolete:
            if msgctxt is None and msgid == "" and header_entry is None:
                if "msgid_plural" in f:
                    raise lexer.error("the header entry cannot have msgid_plural",
                                      entry.msgid_line)
                header_entry = entry
                po.header = "\n".join(entry.tcomments)
                po.metadata_is_fuzzy = list(entry.flags)
                set_header_text(po, f["msgstr"])
                return
        poentry = polib.POEntry(
            msgid=msgid,
            msgstr=f.get("msgstr", ""),
            msgid_plural=f.get("msgid_plural", ""),
            msgstr_plural=dict(enumerate(entry.plural)),
            msgctxt=msgctxt,
            obsolete=bool(entry.obsolete),
            encoding=encoding,
            tcomment="\n".join(entry.tcomments),
            comment="\n".join(entry.comments),
            occurrences=list(entry.occurrences),
            flags=list(entry.flags),
            previous_msgctxt=f.get("prev_msgctxt"),
            previous_msgid=f.get("prev_msgid"),
            previous_msgid_plural=f.get("prev_msgid_plural"),
            linenum=entry.line,
        )
        entries.append((entry, poentry))
        po.append(poentry)

    plain = _plain_entries(text)
    if plain is not None:
        for entry in plain:
            finish(entry)
        return po

    current = _Entry(1)
    last_field = ""
    after_blank = False
    for number, line in enumerate(text.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        stripped = line.lstrip(" \t\f\v\r")
        if not stripped:
            after_blank = True
            continue
        obsolete = False
        previous = False
        if stripped.startswith("#~"):
            rest = stripped[2:].lstrip(" \t")
            if rest.startswith("#") and rest[1:2] not in ("|", "~"):
                stripped = rest  # "#~ # comment" is a comment, for gettext too
        if stripped.startswith("#"):
            mark = stripped[1:2]
            if mark == "~":
                obsolete = True
                rest = stripped[2:].lstrip(" \t")
                if rest.startswith("|"):
                    previous = True
                    rest = rest[1:].lstrip(" \t")
                if not rest:
                    after_blank = True
                    continue
                if rest.startswith("#"):
                    raise lexer.error("syntax error: a comment inside an obsolete (#~) line",
                                      number)
            elif mark == "|":
                previous = True
                rest = stripped[2:].lstrip(" \t")
                if not rest:
                    raise lexer.error("syntax error: empty #| line", number)
            else:
                # A comment line.
                if "\0" in stripped:
                    raise lexer.error("a NUL character in a comment (a damaged file?)", number)
                if stripped.endswith("\\"):
                    raise lexer.error("a comment line ends in a backslash, which gettext joins "
                                      "with the line after it; remove the backslash", number)
                after_blank = True
                if current.state in _COMPLETE:
                    finish(current)
                    current = _Entry(number)
                elif current.state in ("msgid", "msgid_plural") and current.msgid_line:
                    # Named where the unfinished entry's msgid is, as msgfmt does:
                    # a msgstr line went missing there, or the comment strayed in.
                    raise lexer.error(f"msgid without msgstr: the comment line {number} "
                                      "comes before its msgstr", current.msgid_line)
                elif current.state != "comments":
                    raise lexer.error(f"comment line inside an entry: {current.state} has no "
                                      "msgstr yet", number)
                if not current.tcomments and not current.comments and \
                        not current.occurrences and not current.flags:
                    current.line = number
                _add_comment(current, stripped)
                continue
        else:
            rest = stripped

        m = _KEYWORD.match(rest)
        if m is None and rest.startswith('"'):
            # A continuation line.
            state = current.state
            if state == "comments" or (previous != state.startswith("prev_")) or after_blank:
                # msgfmt accepts a string after a blank line as a continuation; a file
                # with one is damaged (a merge conflict, an editing accident).
                raise lexer.error("string continuation line without a keyword before it",
                                  number)
            if current.obsolete != obsolete:
                raise lexer.error("inconsistent use of #~", number)
            value = "".join(lexer.strings(rest, number))
            if state == "msgstr[]":
                current.plural[-1] += value
            else:
                current.fields[last_field] += value
            continue
        if m is None:
            word = _WORD.match(rest)
            if word is not None:
                raise lexer.error(f'keyword "{word.group()}" unknown', number)
            raise lexer.error(f"syntax error: unexpected {rest[:20]!r}", number)
        keyword = m.group(1)
        state = "msgstr[]" if m.group(2) is not None else keyword
        if previous:
            if state not in ("msgctxt", "msgid", "msgid_plural"):
                raise lexer.error(f"keyword {keyword} is not allowed in a #| line", number)
            state = "prev_" + state
        if current.state in _COMPLETE and state in _FOLLOWS and current.state in _FOLLOWS[state] \
                and state not in ("msgstr[]",):
            finish(current)
            current = _Entry(number)
        if current.state not in _FOLLOWS[state]:
            raise lexer.error(_order_message(current.state, keyword, previous), number)
        if current.state == "comments" and not (current.tcomments or current.comments
                                                or current.occurrences or current.flags):
            current.line = number
        if current.obsolete is None:
            current.obsolete = obsolete
        elif current.obsolete != obsolete:
            raise lexer.error("inconsistent use of #~", number)
        value = "".join(lexer.strings(rest[m.end():], number))
        if state == "msgstr[]":
            index = int(m.group(2))
            if index != len(current.plural):
                raise lexer.error("first plural form has nonzero index" if not current.plural
                                  else f"plural form has wrong index: msgstr[{index}] where "
                                  f"msgstr[{len(current.plural)}] is expected", number)
            if index == 0:
                current.plural_line = number
            current.plural.append(value)
        else:
            current.fields[state] = value
            if state == "msgid":
                current.msgid_line = number
        current.state = state
        last_field = state
        after_blank = False
    if current.state in _COMPLETE:
        finish(current)
    elif current.state != "comments":
        raise lexer.error(f"unexpected end of file: {current.state} has no msgstr",
                          current.msgid_line or current.line)

    _check_plurals(po, entries, lexer, header_entry)
    return po


def _order_message(state: str, keyword: str, previous: bool) -> str:
    shown = f"#| {keyword}" if previous else keyword
    if keyword.startswith("msgstr[") and state == "msgid":
        return f"{keyword} without msgid_plural (missing 'msgid_plural' section)"
    if keyword == "msgstr" and state in ("msgid_plural", "msgstr[]"):
        return "msgstr after msgid_plural: expected msgstr[0]"
    if state in ("msgctxt", "msgid", "msgid_plural") and not previous \
            and keyword in ("msgctxt", "msgid"):
        return f"missing 'msgstr' section before {keyword}"
    if state == "comments" or state in _COMPLETE:
        needed = "#| msgid" if previous else "msgid"
        return f"keyword {shown} out of order: no {needed} before it"
    last = state.replace("prev_", "#| ").replace("msgstr[]", "msgstr[N]")
    return f"keyword {shown} out of order after {last}"


_NPLURALS = re.compile(r"nplurals\s*=\s*([0-9]+)")


def _check_plurals(po: polib.POFile, entries: list[tuple[_Entry, polib.POEntry]],
                   lexer: _Lexer, header: _Entry | None) -> None:
    plural = [(e, p) for e, p in entries if not p.obsolete and "msgid_plural" in e.fields]
    if not plural:
        return
    forms = po.metadata.get("Plural-Forms")
    if forms is None:
        # msgfmt's default, as msginit leaves it for a language it has no rule
        # for (Catalan in gettext 0.21): `update` then writes the language's.
        nplurals, said = 2, "a header without Plural-Forms means nplurals=2"
    else:
        m = _NPLURALS.search(forms)
        if m is None:
            if "INTEGER" in forms:  # a template's placeholder
                return
            raise lexer.error(f"Plural-Forms has no nplurals=N: {forms!r}",
                              header.msgid_line if header else 0)
        nplurals = int(m.group(1))
        said = f"the header says nplurals={nplurals}"
    for entry, _poentry in plural:
        if len(entry.plural) != nplurals:
            raise lexer.error(f"plural entry has {len(entry.plural)} msgstr[N] forms, but "
                              f"{said}", entry.plural_line)


def line_starting(text: str, prefix: str) -> int | None:
    """The 1-based number of the first line of `text` that starts with `prefix`
    after leading blanks (a header field: `"Plural-Forms:`), or None."""
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith(prefix):
            return number
    return None


@dataclass(frozen=True, slots=True)
class FileVersion:
    """What a file held when it was read: the SHA-256 of its bytes, or None
    when there was no file. Bytes, not `os.stat` times: a write within one
    tick of a coarse clock keeps the times, and an editor that saves the very
    same bytes changes nothing that could be lost."""

    digest: bytes | None

    @classmethod
    def of(cls, data: bytes | None) -> FileVersion:
        """The version of a file holding `data` (None: no file)."""
        return cls(None if data is None else hashlib.sha256(data).digest())

    def holds(self, data: bytes | None) -> bool:
        """True when `data` (None: no file) is this version."""
        return self == FileVersion.of(data)


def read_catalog(path: Path) -> polib.POFile:
    """Read, decode (`decode_catalog`) and parse (`parse_catalog`) a catalog."""
    return read_catalog_version(path)[0]


def read_plain_or_parsed(path: Path) -> list[PlainMessage] | polib.POFile:
    """The catalog at `path` as `plain_messages` gives it when it is made
    only of plain entries (most are), else parsed (`read_catalog`), for a
    reader of thousands of catalogs that needs their strings and flags only.
    Raises `CatalogError` as `read_catalog` does."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return read_catalog(path)  # which says why
    text = decode_catalog(data, path)
    messages = plain_messages(text)
    return messages if messages is not None else parse_catalog(text, path)


def read_catalog_bytes(path: Path) -> bytes:
    """The bytes of the catalog at `path`; CatalogError naming it when it
    cannot be read (permissions, a folder by that name)."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read catalog: {exc.strerror or exc}", path) from None


def read_catalog_version(path: Path) -> tuple[polib.POFile, FileVersion]:
    """`read_catalog`, and the version of the file it parsed, for
    `write_if_changed` to replace only that one."""
    data = read_catalog_bytes(path)
    return parse_catalog(decode_catalog(data, path), path), FileVersion.of(data)


_TEMPORARY_SUFFIX = ".tmp"
# `.<name>.<32 hex digits>.tmp`: the temporary files write_if_changed makes.
_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{32}" + re.escape(_TEMPORARY_SUFFIX))


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Remove the temporary files `write_if_changed` left under `directory` when
    its process was killed between creating and renaming them; returns them.

    Only safe while nothing else writes there (the caller holds the catalog
    lock, `bilingual.lock`). Other files, whatever their name, are left alone.
    """
    removed = []
    for path in files_below(Path(directory), _TEMPORARY_SUFFIX):
        if _TEMPORARY.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path)
    return removed


def write_if_changed(path: Path, text: str, read: FileVersion | None = None) -> bool:
    """Write `text` (UTF-8) to `path` unless the file already holds exactly it.

    Returns False, without touching the file (nor its mtime), when the bytes
    are the same. Otherwise writes a temporary file in the same directory,
    flushes and fsyncs it and renames it over `path` (`os.replace`), so that
    readers see the old or the new file, never a part. Creates missing parent
    directories; keeps the permission bits of an existing file. The temporary
    file never survives an error.

    `read` is the version of the file that `text` was made from. The file is
    then replaced only while it still holds that version, checked once more
    right before the rename; otherwise someone saved it meanwhile, and
    `FileChangedError` is raised with the file left as they saved it.

    A symbolic link is written through: the file it leads to is replaced and
    the link stays (a catalog shared with another project by a link had
    become a copy of its own, and the shared one never got the update).
    """
    path = Path(path)
    # Messages name `path`, as the project names it.
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    data = text.encode("utf-8")
    current = _bytes_or_none(path)
    if current == data:
        return False
    _refuse_if_changed(path, read, current)
    mode = None
    if current is not None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise BilingualError(f"cannot read: {exc.strerror or exc}", path) from None
    tmp = target.with_name(f".{short_name(target.name)}.{uuid.uuid4().hex}{_TEMPORARY_SUFFIX}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            os.close(fd)
        # Again after the fsync, which can take long: a save in between would
        # otherwise be replaced. What is left is the moment from this read to
        # the rename; an editor's save can still fall into it.
        if read is not None:
            _refuse_if_changed(path, read, _bytes_or_none(path))
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise BilingualError(f"cannot write: {exc.strerror or exc}", path) from None
        raise
    _fsync_directory(target.parent)
    return True


def _bytes_or_none(path: Path) -> bytes | None:
    """The file's bytes; None when there is no file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BilingualError(f"cannot read: {exc.strerror or exc}", path) from None


def _refuse_if_changed(path: Path, read: FileVersion | None, current: bytes | None) -> None:
    if read is not None and not read.holds(current):
        raise FileChangedError(path)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
