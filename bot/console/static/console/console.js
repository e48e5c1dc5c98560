// The console's small live parts: the queue refreshes itself and a ticket's conversation
// shows new messages as they arrive. Everything is built with textContent, never HTML
// strings from visitors.
import { initAll } from '../govuk/govuk-frontend.min.js'

const REFRESH = '.js-app-console-refresh'
const TRANSCRIPT = '.js-app-console-transcript'
const SENDERS = { user: 'Visitor', bot: 'Assistant', staff: 'Hotline team', system: 'Notice' }

function startQueueRefresh ($region) {
  if ($region.dataset.appConsoleInit) return
  $region.dataset.appConsoleInit = 'true'
  const seconds = Number($region.dataset.refreshSeconds) || 20
  setInterval(async () => {
    try {
      const response = await fetch(window.location.href, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
      if (!response.ok) return
      const doc = new DOMParser().parseFromString(await response.text(), 'text/html')
      const $fresh = doc.querySelector(REFRESH)
      if (!$fresh) return
      // Server-rendered and escaped by our own templates: adopt its nodes as they are.
      $region.replaceChildren(...Array.from($fresh.childNodes).map((node) => document.importNode(node, true)))
    } catch (error) {
      // Offline for a moment: try again on the next tick.
    }
  }, seconds * 1000)
}

// The box opens at its latest message (CSS does it; this keeps it so in any browser that
// starts a reversed flex box at its top), and stays there as messages arrive.
function scrollToLatest ($box) {
  $box.scrollTop = getComputedStyle($box).flexDirection === 'column-reverse' ? 0 : $box.scrollHeight
}

function startTranscript ($box) {
  if ($box.dataset.appConsoleInit) return
  $box.dataset.appConsoleInit = 'true'
  const $list = $box.querySelector('.js-app-console-transcript-list') || $box
  const reference = $box.dataset.reference
  const $status = document.querySelector('.js-app-console-live-status')
  const $presence = document.querySelector('.js-app-console-presence')
  let after = Number($box.dataset.after) || 0
  if (!window.location.hash) scrollToLatest($box)
  setInterval(async () => {
    try {
      const response = await fetch(`/staff/tickets/${encodeURIComponent(reference)}/messages.json?after=${after}`, { credentials: 'same-origin' })
      if (!response.ok) return
      const body = await response.json()
      for (const message of body.messages) {
        after = Math.max(after, message.id)
        const $item = document.createElement('li')
        $item.id = `message-${message.id}`
        $item.className = `app-console-transcript__message app-console-transcript__message--${SENDERS[message.sender] ? message.sender : 'system'}`
        const $meta = document.createElement('span')
        $meta.className = 'app-console-transcript__meta'
        $meta.textContent = `${SENDERS[message.sender] || 'Notice'}, ${message.at}`
        const $text = document.createElement('span')
        $text.className = 'app-console-transcript__text'
        $text.textContent = message.text
        $item.append($meta, $text)
        $list.append($item)
        scrollToLatest($box)
      }
      if (body.messages.length && $status) {
        $status.textContent = `${body.messages.length} new message${body.messages.length === 1 ? '' : 's'} in the conversation`
      }
      // A resolved ticket says nothing about replying live (the server leaves the line out).
      if ($presence && body.status !== 'resolved') {
        $presence.textContent = body.visitor_present ? 'Yes: you can reply live' : 'No: arrange a call back'
      }
    } catch (error) {
      // Try again on the next tick.
    }
  }, 3000)
}

document.querySelectorAll(REFRESH).forEach(startQueueRefresh)
document.querySelectorAll(TRANSCRIPT).forEach(startTranscript)

// GOV.UK Frontend's components: buttons ignore a second click within a second (forms are
// also made safe to send twice on the server), error summaries take focus.
document.body.classList.add('govuk-frontend-supported')
initAll()
