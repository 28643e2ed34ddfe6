package analysis

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// testProtected is the protected list used by the stemmer tests: acronyms
// of public-service documents plus a place name that would otherwise be
// read as ber+muda.
var testProtected = []string{
	"ktp", "kk", "sim", "nik", "kia", "skck", "bpjs", "npwp", "pbb",
	"sktm", "stnk", "bpkb", "bermuda",
}

var (
	testStemmerOnce sync.Once
	testStemmerVal  *Stemmer
	testRoots       []string
)

// testStemmer returns a stemmer built from the embedded roots.txt.
func testStemmer(t testing.TB) *Stemmer {
	t.Helper()
	testStemmerOnce.Do(func() {
		roots, err := readWordList("roots.txt")
		if err != nil {
			t.Fatalf("read roots: %v", err)
		}
		testRoots = roots
		testStemmerVal = NewStemmer(roots, testProtected)
	})
	if testStemmerVal == nil {
		t.Fatal("stemmer not built")
	}
	return testStemmerVal
}

type stemCase struct {
	word, want string
}

var stemCases = []stemCase{
	// The words citizens actually type about public services.
	{"mengurus", "urus"},
	{"perpanjangan", "panjang"},
	{"pembuatan", "buat"},
	{"persyaratan", "syarat"},
	{"kelahiran", "lahir"},
	{"menikah", "nikah"},
	{"pendaftaran", "daftar"},
	{"penggantian", "ganti"},
	{"kehilangan", "hilang"},
	{"kerusakan", "rusak"},
	{"kepindahan", "pindah"},
	{"pencetakan", "cetak"},
	{"perekaman", "rekam"},
	{"pembayaran", "bayar"},
	{"perpajakan", "pajak"},
	{"pertanahan", "tanah"},
	{"perizinan", "izin"},
	{"pengurusan", "urus"},
	{"memperpanjang", "panjang"},
	{"diperpanjang", "panjang"},
	{"berlaku", "laku"},
	{"bagaimana", "bagaimana"},
	{"kendaraan", "kendara"},
	{"keterangan", "terang"},
	{"penduduk", "duduk"},
	{"kependudukan", "duduk"},
	{"dibuat", "buat"},
	{"membuat", "buat"},
	{"bikin", "bikin"},
	{"syaratnya", "syarat"},
	{"biayanya", "biaya"},
	{"kantornya", "kantor"},
	{"pelayanan", "layan"},
	{"layanan", "layan"},
	{"mengajukan", "aju"},
	{"pengajuan", "aju"},
	{"bantuan", "bantu"},
	{"sekolah", "sekolah"},
	{"ganti", "ganti"},
	{"makan", "makan"},
	{"pajak", "pajak"},
	{"kartu", "kartu"},

	// Protected acronyms and short words come back unchanged.
	{"ktp", "ktp"},
	{"kk", "kk"},
	{"sim", "sim"},
	{"nik", "nik"},
	{"skck", "skck"},
	{"bpjs", "bpjs"},
	{"npwp", "npwp"},
	{"stnk", "stnk"},
	{"bpkb", "bpkb"},
	{"bermuda", "bermuda"},

	// Plain prefixes: di-, ke-, se-, ber-, ter-, per-, pe-.
	{"diurus", "urus"},
	{"ditanyakan", "tanya"},
	{"kedatangan", "datang"},
	{"sebelum", "belum"},
	{"seorang", "orang"},
	{"bertanya", "tanya"},
	{"berobat", "obat"},
	{"terdaftar", "daftar"},
	{"terkirim", "kirim"},
	{"terakhir", "akhir"},
	{"peraturan", "atur"},
	{"petugas", "tugas"},
	{"pelapor", "lapor"},
	// Allomorphs: be-, bel-, te-, and pe-/be-/te- before a root in r.
	{"bekerja", "kerja"},
	{"bepergian", "pergi"},
	{"belajar", "ajar"},
	{"tepercaya", "percaya"},
	{"terasa", "rasa"},
	{"perumahan", "rumah"},
	{"berantai", "rantai"},
	// me- and pe- before l, r, w, y and before b, f, v, c, d, j, g, h, k.
	{"melapor", "lapor"},
	{"merawat", "rawat"},
	{"mewarnai", "warna"},
	{"meyakinkan", "yakin"},
	{"membayar", "bayar"},
	{"memfotokopi", "fotokopi"},
	{"memverifikasi", "verifikasi"},
	{"memproses", "proses"},
	{"mencetak", "cetak"},
	{"mendaftar", "daftar"},
	{"menjual", "jual"},
	{"mentransfer", "transfer"},
	{"mengganti", "ganti"},
	{"menghapus", "hapus"},
	{"mengklaim", "klaim"},
	{"penghasilan", "hasil"},
	// Recoding of the nasalised initial: meny/peny→s, mem/pem→p,
	// men/pen→t, meng/peng→k.
	{"menyerahkan", "serah"},
	{"penyerahan", "serah"},
	{"menyelesaikan", "selesai"},
	{"penyakit", "sakit"},
	{"memakai", "pakai"},
	{"pemakaian", "pakai"},
	{"memeriksa", "periksa"},
	{"menulis", "tulis"},
	{"penulisan", "tulis"},
	{"menunggu", "tunggu"},
	{"mengirim", "kirim"},
	{"pengiriman", "kirim"},
	{"mengenal", "kenal"},
	{"pengelolaan", "kelola"},
	{"pengeluaran", "keluar"},
	// ...and the nasal kept when the root itself starts with it.
	{"meminta", "minta"},
	{"memohon", "mohon"},
	{"memakan", "makan"},
	{"menikahi", "nikah"},
	{"menilai", "nilai"},
	{"menyanyi", "nyanyi"},
	{"mengurusnya", "urus"},
	{"mengakui", "aku"},
	// menge-/penge- before one syllable; meng-+ke- before more.
	{"mengecek", "cek"},
	{"mengecat", "cat"},
	{"pengecekan", "cek"},
	{"pengesahan", "sah"},
	{"mengetahui", "tahu"},
	{"pengetahuan", "tahu"},
	{"pengeringan", "kering"},
	// Two and three prefixes.
	{"memperbarui", "baru"},
	{"diperlukan", "perlu"},
	{"mempertanyakan", "tanya"},
	{"memperkenalkan", "kenal"},
	{"keberangkatan", "berangkat"},
	{"keberadaan", "ada"},
	{"keterlambatan", "lambat"},
	{"kepemilikan", "milik"},
	{"berkelanjutan", "lanjut"},
	{"pemberdayaan", "daya"},
	{"diberlakukan", "laku"},
	// Derivational suffixes -i, -kan, -an.
	{"mengakhiri", "akhir"},
	{"melengkapi", "lengkap"},
	{"diikuti", "ikut"},
	{"memberikan", "beri"},
	{"diberikan", "beri"},
	{"urusan", "urus"},
	{"tagihan", "tagih"},
	{"masakan", "masak"},
	{"kedudukan", "duduk"},
	// Possessives and particles, alone and stacked.
	{"pajaknya", "pajak"},
	{"rumahku", "rumah"},
	{"bukumu", "buku"},
	{"bayarlah", "bayar"},
	{"apakah", "apa"},
	{"bagaimanakah", "bagaimana"},
	{"siapapun", "siapa"},
	{"daftarkanlah", "daftar"},
	{"pembayarannya", "bayar"},
	{"persyaratannya", "syarat"},
	{"pertanyaannya", "tanya"},
	// Disallowed confixes (be-…-i, di-…-an, ke-…-i, ke-…-kan, me-…-an,
	// se-…-i, se-…-kan, te-…-an) are never read.
	{"ketahui", "ketahui"}, // ke-…-i: only di-ketahui and meng-ketahui exist
	{"diketahui", "tahu"},  // the outer di- allows -i
	{"kenalkan", "kenal"},  // kenal+kan, not ke+nal+kan
	{"menawan", "tawan"},   // me+(t)awan, not me+naw+an
	{"berhenti", "henti"},  // ber+henti, not ber+hent+i
	{"memasukan", "masuk"}, // -kan spelled -an after k is still -kan
	{"keberatan", "berat"}, // ke-…-an is allowed
	// Over-stemming traps that keep the most letters and fewest affixes.
	{"bermasalah", "masalah"},
	{"membeli", "beli"},
	{"bersekolah", "sekolah"},
	{"pencari", "cari"},
	// Roots that look like affixed words are never cut: -an, -i, -kan,
	// -nya, -ku, -lah, -kah, -tah, -pun and me-, pe-, ber-, ter-, di-,
	// ke-, se-.
	{"kanan", "kanan"},
	{"ikan", "ikan"},
	{"teman", "teman"},
	{"jalan", "jalan"},
	{"taman", "taman"},
	{"tahan", "tahan"},
	{"kunci", "kunci"},
	{"tani", "tani"},
	{"pantai", "pantai"},
	{"beli", "beli"},
	{"beri", "beri"},
	{"bukan", "bukan"},
	{"tanya", "tanya"},
	{"punya", "punya"},
	{"buku", "buku"},
	{"ilmu", "ilmu"},
	{"masalah", "masalah"},
	{"nikah", "nikah"},
	{"perintah", "perintah"},
	{"himpun", "himpun"},
	{"bisa", "bisa"},
	{"minum", "minum"},
	{"tengah", "tengah"},
	{"pasang", "pasang"},
	{"bangun", "bangun"},
	{"pulang", "pulang"},
	{"meja", "meja"},
	{"merah", "merah"},
	{"menang", "menang"},
	{"peta", "peta"},
	{"perak", "perak"},
	{"percaya", "percaya"},
	{"pergi", "pergi"},
	{"perlu", "perlu"},
	{"berat", "berat"},
	{"beras", "beras"},
	{"bersih", "bersih"},
	{"berkas", "berkas"},
	{"terang", "terang"},
	{"terima", "terima"},
	{"tamat", "tamat"},
	{"dinas", "dinas"},
	{"dingin", "dingin"},
	{"kertas", "kertas"},
	{"keras", "keras"},
	{"kena", "kena"},
	{"kenal", "kenal"},
	{"kebun", "kebun"},
	{"kemeja", "kemeja"},
	{"sedang", "sedang"},
	{"selesai", "selesai"},
	{"sehat", "sehat"},
	{"senang", "senang"},
	// Unknown words: the conservative fallback, identical for every form.
	{"mengupload", "upload"},
	{"diupload", "upload"},
	{"disdukcapil", "disdukcapil"},
	{"dukcapil", "dukcapil"},
	{"informasinya", "informasi"},
	// Not plain lowercase letters: unchanged.
	{"covid19", "covid19"},
	{"e-ktp", "e-ktp"},
	{"Membuat", "Membuat"},
	{"pendaftaran2", "pendaftaran2"},
}

func TestStem(t *testing.T) {
	s := testStemmer(t)
	for _, c := range stemCases {
		t.Run(c.word, func(t *testing.T) {
			if got := s.Stem(c.word); got != c.want {
				t.Errorf("Stem(%q) = %q, want %q", c.word, got, c.want)
			}
		})
	}
}

func TestStemTableSize(t *testing.T) {
	if len(stemCases) < 120 {
		t.Errorf("only %d stem cases, want at least 120", len(stemCases))
	}
}

func TestStemProtected(t *testing.T) {
	roots, err := readWordList("roots.txt")
	if err != nil {
		t.Fatal(err)
	}
	plain := NewStemmer(roots, nil)
	if got := plain.Stem("bermuda"); got == "bermuda" {
		t.Fatalf("unprotected Stem(bermuda) = %q; the protection test proves nothing", got)
	}
	protected := NewStemmer(roots, []string{" Bermuda "})
	if got := protected.Stem("bermuda"); got != "bermuda" {
		t.Errorf("protected Stem(bermuda) = %q, want it unchanged", got)
	}
}

func TestStemRootsFile(t *testing.T) {
	data, err := dataFS.ReadFile("data/roots.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "# ") {
		t.Errorf("roots.txt should start with a one-line '#' header")
	}
	seen := make(map[string]bool, len(lines))
	prev := ""
	n := 0
	for i, line := range lines {
		if strings.HasPrefix(line, "#") {
			if i != 0 {
				t.Errorf("line %d: comment after the header", i+1)
			}
			continue
		}
		if line == "" || !isLowerAZ(line) {
			t.Errorf("line %d: %q is not lowercase letters a-z only", i+1, line)
			continue
		}
		if seen[line] {
			t.Errorf("line %d: duplicate root %q", i+1, line)
		}
		if line <= prev {
			t.Errorf("line %d: %q is not sorted after %q", i+1, line, prev)
		}
		seen[line] = true
		prev = line
		n++
	}
	if n < 2000 {
		t.Errorf("roots.txt has %d roots, want at least 2000", n)
	}
}

func TestStemIdempotent(t *testing.T) {
	s := testStemmer(t)
	for _, r := range testRoots {
		if got := s.Stem(r); got != r {
			t.Errorf("Stem(root %q) = %q, want it unchanged", r, got)
		}
	}
	for _, c := range stemCases {
		if got := s.Stem(c.want); got != c.want {
			t.Errorf("Stem(%q) = %q: the stem of %q is not stable", c.want, got, c.word)
		}
	}
}

func TestStemUnchangedInputs(t *testing.T) {
	s := testStemmer(t)
	for _, w := range []string{"", "a", "di", "ber", "123", "rp50000", "ktp-el", "pembuatan!", "pëmbuatan", "mem buat"} {
		if got := s.Stem(w); got != w {
			t.Errorf("Stem(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestStemConcurrent(t *testing.T) {
	s := testStemmer(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range stemCases {
				if got := s.Stem(c.word); got != c.want {
					t.Errorf("concurrent Stem(%q) = %q, want %q", c.word, got, c.want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestStemAllocations(t *testing.T) {
	s := testStemmer(t)
	// No recoding in these, so the result is a substring of the input.
	words := []string{"pembuatan", "perpanjangan", "kependudukan", "bagaimana", "syaratnya", "disdukcapil", "mengupload"}
	allocs := testing.AllocsPerRun(100, func() {
		for _, w := range words {
			s.Stem(w)
		}
	})
	if allocs != 0 {
		t.Errorf("Stem allocated %.1f times per run, want 0", allocs)
	}
}

func FuzzStem(f *testing.F) {
	for _, c := range stemCases {
		f.Add(c.word)
	}
	for _, w := range []string{"", "meng", "menge", "penge", "memper", "dipe", "kean", "nyanya", "lahkahtahpun", "ke\xff", "ññññ", "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm"} {
		f.Add(w)
	}
	s := testStemmer(f)
	f.Fuzz(func(t *testing.T, word string) {
		got := s.Stem(word)
		if len(got) > len(word) || utf8.RuneCountInString(got) > utf8.RuneCountInString(word) {
			t.Errorf("Stem(%q) = %q is longer than its input", word, got)
		}
		if word != "" && got == "" {
			t.Errorf("Stem(%q) is empty", word)
		}
		if again := s.Stem(word); again != got {
			t.Errorf("Stem(%q) is not deterministic: %q then %q", word, got, again)
		}
	})
}

func BenchmarkStem(b *testing.B) {
	s := testStemmer(b)
	words := make([]string, len(stemCases))
	for i, c := range stemCases {
		words[i] = c.word
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		s.Stem(words[i%len(words)])
	}
}
