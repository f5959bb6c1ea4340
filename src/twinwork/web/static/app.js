// twinwork: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 800px)");

  // The main menu folds behind one button on phones.
  function setUpMenu() {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.querySelector(".nav");
    if (!toggle || !nav) return;
    nav.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("nav-open", open);
    });
  }

  // Tables become cards on phones: each cell is labelled with its column's heading.
  function labelTableCells(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (!cell.hasAttribute("data-label") && headings[index]) {
            cell.setAttribute("data-label", headings[index]);
          }
        });
      });
      table.classList.add("table-cards");
    });
  }

  // Filters start folded on phones, so the first screen shows results.
  function foldFilters() {
    if (!PHONE.matches) return;
    document.querySelectorAll("details[data-fold-on-phones]").forEach(function (details) {
      details.open = false;
    });
  }

  // "Print / save as PDF" buttons (inline handlers are barred by the content security policy).
  function setUpPrintButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // The package toggle (By hand / AI / Hybrid) works by CSS alone; here AI and hybrid work
  // also ask for a brief before the form is sent, and the order button says which way.
  function setUpWayToggles() {
    document.querySelectorAll("form.order-form").forEach(function (form) {
      var radios = form.querySelectorAll('.way-toggle input[type="radio"]');
      var brief = form.querySelector("textarea[name='brief']");
      var button = form.querySelector("button[type='submit']");
      if (!radios.length || !brief || !button) return;
      var plain = button.textContent;
      function update() {
        var chosen = form.querySelector('.way-toggle input[type="radio"]:checked');
        var way = chosen ? chosen.value : "human";
        var label = chosen ? chosen.parentNode.textContent.trim() : "";
        brief.required = way !== "human";
        button.textContent = way === "human" ? plain : plain + " (" + label + ")";
      }
      radios.forEach(function (radio) { radio.addEventListener("change", update); });
      update();
    });
  }

  // Voice verification: record the sentence with the microphone into the form's file field,
  // as a 16-bit WAV, where the browser allows it; the file upload works without this.
  function wavFile(chunks, rate) {
    var length = chunks.reduce(function (n, c) { return n + c.length; }, 0);
    var view = new DataView(new ArrayBuffer(44 + 2 * length));
    function text(offset, value) {
      for (var i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
    }
    text(0, "RIFF"); view.setUint32(4, 36 + 2 * length, true); text(8, "WAVE");
    text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
    view.setUint16(22, 1, true); view.setUint32(24, rate, true);
    view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    text(36, "data"); view.setUint32(40, 2 * length, true);
    var offset = 44;
    chunks.forEach(function (chunk) {
      for (var i = 0; i < chunk.length; i++, offset += 2) {
        var s = Math.max(-1, Math.min(1, chunk[i]));
        view.setInt16(offset, s < 0 ? s * 0x8000 : s * 0x7fff, true);
      }
    });
    return new File([view], "take.wav", { type: "audio/wav" });
  }

  function setUpVoiceRecorders() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context || !navigator.mediaDevices || !window.DataTransfer) return;
    document.querySelectorAll("form[data-voice-recorder]").forEach(function (form) {
      var box = form.querySelector(".voice-recorder");
      var button = form.querySelector("[data-record]");
      var status = form.querySelector("[data-record-status]");
      var input = form.querySelector("input[type='file']");
      if (!box || !button || !status || !input) return;
      box.hidden = false;
      var recording = null;
      button.addEventListener("click", function () {
        if (recording) {
          recording.stop();
          return;
        }
        navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
          var context = new Context();
          var source = context.createMediaStreamSource(stream);
          var node = context.createScriptProcessor(4096, 1, 1);
          var chunks = [];
          node.onaudioprocess = function (event) {
            chunks.push(new Float32Array(event.inputBuffer.getChannelData(0)));
          };
          source.connect(node);
          node.connect(context.destination);
          button.textContent = "Stop recording";
          status.textContent = "Recording… read the sentence, then stop.";
          recording = {
            stop: function () {
              node.disconnect(); source.disconnect();
              stream.getTracks().forEach(function (track) { track.stop(); });
              var file = wavFile(chunks, context.sampleRate);
              context.close();
              var files = new DataTransfer();
              files.items.add(file);
              input.files = files.files;
              var seconds = chunks.length * 4096 / context.sampleRate;
              status.textContent = "Recorded " + seconds.toFixed(1) + " s: check your voice to send it.";
              button.textContent = "Record again";
              recording = null;
            }
          };
        }).catch(function () {
          status.textContent = "The microphone is not available: choose a recording instead.";
        });
      });
    });
  }

  // Text previews appear while the model writes them: the form goes to its streaming twin
  // (Server-Sent Events read through fetch, since EventSource cannot post a form) and the
  // page moves to the stored preview when it is ready. A refusal before the model starts,
  // or a browser without streams, sends the form the ordinary way, which shows what to change.
  function readEvents(reader, onEvent) {
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        var blocks = buffer.split("\n\n");
        buffer = blocks.pop();
        blocks.forEach(function (block) {
          var name = "message";
          var data = "";
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event: ") === 0) name = line.slice(7);
            else if (line.indexOf("data: ") === 0) data += line.slice(6);
          });
          if (data) onEvent(name, JSON.parse(data));
        });
        return pump();
      });
    }
    return pump();
  }

  function setUpStreamedPreviews() {
    if (!window.fetch || !window.TextDecoder || !window.FormData || !window.ReadableStream) return;
    document.querySelectorAll("form[data-stream-action]").forEach(function (form) {
      var box = form.querySelector("#stream-preview");
      var text = box && box.querySelector("[data-stream-text]");
      var status = box && box.querySelector("[data-stream-status]");
      var button = form.querySelector("button[type='submit']");
      if (!box || !text || !status || !button) return;
      var busy = false;
      function done(message) {
        busy = false;
        button.disabled = false;
        status.textContent = message;
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (busy) return;
        busy = true;
        button.disabled = true;
        text.textContent = "";
        status.textContent = "Writing…";
        box.hidden = false;
        var finished = false;
        fetch(form.getAttribute("data-stream-action"), {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          headers: { Accept: "text/event-stream" }
        }).then(function (response) {
          var type = response.headers.get("content-type") || "";
          if (!response.ok || type.indexOf("text/event-stream") !== 0 || !response.body) {
            box.hidden = true;
            form.submit(); // the ordinary post shows the refusal in the form
            return null;
          }
          return readEvents(response.body.getReader(), function (name, data) {
            if (name === "preview") {
              text.textContent += data.delta;
            } else if (name === "generation") {
              finished = true;
              text.textContent = data.preview;
              status.textContent = "Preview ready: opening it…";
              window.location.assign(data.url);
            } else if (name === "error") {
              finished = true;
              done(data.detail || data.title || "The preview failed. Try again.");
            }
          }).then(function () {
            if (!finished) done("The connection ended before the preview was ready. Try again.");
          });
        }).catch(function () {
          done("The connection was lost before the preview was ready. Try again.");
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpStreamedPreviews();
    setUpVoiceRecorders();
    setUpWayToggles();
    setUpMenu();
    setUpPrintButtons();
    labelTableCells(document);
    foldFilters();
  });
  document.addEventListener("htmx:afterSwap", function (event) { labelTableCells(event.target); });
})();
