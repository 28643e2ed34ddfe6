package render_test

import (
	"fmt"

	"github.com/layanan-id/layanan/bot/render"
)

func ExampleHTML() {
	fmt.Println(render.HTML(`## Persyaratan
- KTP-el **asli**
- Alamat kantor: [[LOKAL: alamat kantor]]

Lapor pungli ke [SP4N-LAPOR!](https://www.lapor.go.id/) <bukan tag> & [ini](javascript:alert(1)).`))
	// Output:
	// <b>Persyaratan</b>
	// • KTP-el <b>asli</b>
	// • Alamat kantor: [[LOKAL: alamat kantor]]
	//
	// Lapor pungli ke <a href="https://www.lapor.go.id/">SP4N-LAPOR!</a> &lt;bukan tag&gt; &amp; [ini](javascript:alert(1)).
}

func ExampleSplit() {
	for _, part := range render.Split("<b>Langkah pertama, lalu langkah kedua.</b>", 30) {
		fmt.Printf("%q\n", part)
	}
	// Output:
	// "<b>Langkah pertama, lalu </b>"
	// "<b>langkah kedua.</b>"
}

func ExampleValid() {
	fmt.Println(render.Valid("<b>tebal</b> &amp; <i>miring</i>"))
	fmt.Println(render.Valid("<div>x</div>"))
	// Output:
	// <nil>
	// render: not valid Telegram HTML: tag <div> Telegram does not support at byte 0
}
