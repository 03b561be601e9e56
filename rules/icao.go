package rules

// The transliteration tables of ICAO Doc 9303 "Machine Readable Travel
// Documents", Part 3 "Specifications Common to all MRTDs" (eighth
// edition, 2021), section 6 "Transliterations recommended for use by
// States": Table A, multinational Latin-based characters, and Table B,
// Cyrillic characters. Keys are upper case; where the table gives
// several transliterations (Ä "AE or A", Å "AA or A", Ñ "N or NXX", Ö "OE
// or O", Ü "UE or UXX or U"), the first, recommended one is used. Table
// C (Arabic) is not carried: an Arabic-script name is refused with a
// message asking for the Latin form printed in the passport's
// machine-readable zone. No Go module implements these tables (none is
// on the module proxy as of this change), so they are written here as
// data from the standard.

// icaoLatin is Table A.
var icaoLatin = map[rune]string{
	'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A", 'Ä': "AE", 'Å': "AA", 'Æ': "AE", 'Ç': "C",
	'È': "E", 'É': "E", 'Ê': "E", 'Ë': "E", 'Ì': "I", 'Í': "I", 'Î': "I", 'Ï': "I",
	'Ð': "D", 'Ñ': "N", 'Ò': "O", 'Ó': "O", 'Ô': "O", 'Õ': "O", 'Ö': "OE", 'Ø': "OE",
	'Ù': "U", 'Ú': "U", 'Û': "U", 'Ü': "UE", 'Ý': "Y", 'Þ': "TH", 'ß': "SS",
	// The capital sharp s (U+1E9E, Unicode 5.1) is the same letter as ß,
	// which the table writes SS; Ticket upper-cases names first, so ẞ is
	// what a "STRASSE" typed in capitals, or a capitalised ß, reaches.
	'ẞ': "SS",
	'Ā': "A", 'Ă': "A", 'Ą': "A", 'Ć': "C", 'Ĉ': "C", 'Ċ': "C", 'Č': "C", 'Ď': "D",
	'Đ': "D", 'Ē': "E", 'Ĕ': "E", 'Ė': "E", 'Ę': "E", 'Ě': "E", 'Ĝ': "G", 'Ğ': "G",
	'Ġ': "G", 'Ģ': "G", 'Ĥ': "H", 'Ħ': "H", 'Ĩ': "I", 'Ī': "I", 'Ĭ': "I", 'Į': "I",
	'İ': "I", 'ı': "I", 'Ĳ': "IJ", 'Ĵ': "J", 'Ķ': "K", 'Ĺ': "L", 'Ļ': "L", 'Ľ': "L",
	'Ŀ': "L", 'Ł': "L", 'Ń': "N", 'Ņ': "N", 'Ň': "N", 'Ŋ': "N", 'Ō': "O", 'Ŏ': "O",
	'Ő': "O", 'Œ': "OE", 'Ŕ': "R", 'Ŗ': "R", 'Ř': "R", 'Ś': "S", 'Ŝ': "S", 'Ş': "S",
	'Š': "S", 'Ţ': "T", 'Ť': "T", 'Ŧ': "T", 'Ũ': "U", 'Ū': "U", 'Ŭ': "U", 'Ů': "U",
	'Ű': "U", 'Ų': "U", 'Ŵ': "W", 'Ŷ': "Y", 'Ÿ': "Y", 'Ź': "Z", 'Ż': "Z", 'Ž': "Z",
}

// icaoCyrillic is Table B. The soft sign Ь is omitted, as the table says.
var icaoCyrillic = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Ґ': "G", 'Д': "D", 'Ѓ': "G", 'Ђ': "D",
	'Е': "E", 'Ё': "E", 'Є': "IE", 'Ж': "ZH", 'З': "Z", 'Ѕ': "DZ", 'И': "I", 'І': "I",
	'Ї': "I", 'Й': "I", 'Ј': "J", 'К': "K", 'Л': "L", 'Љ': "LJ", 'М': "M", 'Н': "N",
	'Њ': "NJ", 'О': "O", 'П': "P", 'Р': "R", 'С': "S", 'Т': "T", 'Ћ': "C", 'Ќ': "K",
	'У': "U", 'Ў': "U", 'Ф': "F", 'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Џ': "DZ", 'Ш': "SH",
	'Щ': "SHCH", 'Ъ': "IE", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "IU", 'Я': "IA",
}
