/*
 * Mutuals Information Service: the chat widget.
 *
 * One component, `ChatWidget`, started on every `[data-module="app-chat-widget"]`
 * (after govuk-frontend's component.mjs and character-count.mjs). It builds its own
 * DOM with createElement/textContent only, so no message text is ever read as HTML;
 * it talks to the widget gateway at `data-api-base` and follows the conversation live
 * over server-sent events read with fetch(), because EventSource cannot send the
 * Authorization header.
 *
 * Plain ES2019, no dependencies, no build step; works under
 * `Content-Security-Policy: default-src 'self'`.
 */
(function () {
  'use strict'

  const MODULE_SELECTOR = '[data-module="app-chat-widget"]'
  const INIT_ATTRIBUTE = 'data-app-chat-widget-init'

  // Every default and every user-facing string. Each can be overridden by a data-*
  // attribute on the module element: data-api-base → apiBase, data-max-length →
  // maxLength, data-title → title, data-launcher-text → launcherText, ...
  const DEFAULTS = Object.freeze({
    apiBase: '/chat/api',
    hotlineNumber: '0845 539 0543',
    maxLength: 500,
    storageKey: 'app-chat-conversation',
    openStateKey: 'app-chat-open',
    referencesKey: 'app-chat-references',
    requestTimeout: 30000,
    streamIdleTimeout: 45000,
    reconnectNoticeDelay: 2000,
    reconnectMaxDelay: 15000,

    title: 'Ask the Mutuals Information Service',
    launcherText: 'Ask a question',
    closeText: 'Close',
    closeLabel: 'Close chat',
    restartText: 'Start again',
    restartConfirmTitle: 'Start a new conversation?',
    restartConfirmText: 'This clears the conversation from this page.',
    restartConfirmReference: 'Your reference %{reference} will still be shown here.',
    restartConfirmYes: 'Yes, start again',
    restartConfirmNo: 'Cancel',
    referenceText: 'Your reference is %{reference}. Give it if you call the hotline on %{number}.',
    liveStatusNamed: 'You are talking to %{name} from the hotline team',
    liveStatus: 'You are talking to the hotline team',
    logLabel: 'Conversation with the assistant',
    inputLabel: 'Your question',
    inputLabelName: 'Your name',
    inputLabelEmail: 'Your email address',
    inputLabelPhone: 'Your phone number',
    inputHint: 'You can enter up to %{count} characters. Press Enter to send, or Shift and Enter for a new line.',
    sendText: 'Send',
    optionsLabel: 'Choose an option',
    typingText: 'The assistant is typing\u2026',
    reconnectingText: 'Reconnecting\u2026',
    newMessageText: '(new message)',
    senderUser: 'You',
    senderBot: 'Assistant',
    senderStaff: 'Hotline team',
    senderStaffNamed: '%{name}, hotline team',
    sourceText: 'Source: ',
    cardRole: 'Role',
    cardOrganisation: 'Organisation',
    cardSectors: 'Sectors',
    cardRegion: 'Based in',
    cardExperience: 'Experience',
    senderSystem: 'Notice',
    newTabText: '(opens in new tab)',
    charactersUnderLimitOne: 'You have %{count} character remaining',
    charactersUnderLimitOther: 'You have %{count} characters remaining',
    charactersAtLimit: 'You have 0 characters remaining',
    charactersOverLimitOne: 'You have %{count} character too many',
    charactersOverLimitOther: 'You have %{count} characters too many',
    errorEmpty: 'Enter your question',
    errorEmptyName: "Enter your name, or type 'skip'",
    errorEmptyEmail: 'Enter your email address',
    errorEmptyPhone: 'Enter your phone number',
    errorTooLong: 'Your question must be %{count} characters or fewer',
    errorWait: 'You are sending messages too quickly. Please wait %{count} seconds and try again.',
    errorUnavailable:
      'The assistant is unavailable just now. Please try again in a few minutes, or call the hotline on %{number}.',
    errorExpired: 'Your conversation had ended, so a new one has started. Send your question again.',
    errorGeneric: 'Something went wrong. Please try again, or call the hotline on %{number}.'
  })

  const SENDERS = ['user', 'bot', 'staff', 'system']
  const LINK_PATTERN = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi
  // In the service's own messages: email addresses and UK phone numbers become links too.
  const CONTACT_PATTERN =
    /\b(?:https?:\/\/|mailto:)[^\s<>"]+|\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b|(?:\+44\s?|\b0)\d{3,4}\s?\d{3}\s?\d{3,4}\b/gi
  const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/
  // "Source: Title, https://..." in an answer: the link is shown with the page's title.
  const SOURCE_LINE = /^Source: (?:(.+?), )?(https?:\/\/\S+)$/
  // What each kind of question asks for: the box's label, element and keyboard.
  const INPUT_KINDS = {
    text: { label: 'inputLabel', empty: 'errorEmpty', multiline: true, autocomplete: 'off' },
    name: { label: 'inputLabelName', empty: 'errorEmptyName', type: 'text', autocomplete: 'name' },
    email: { label: 'inputLabelEmail', empty: 'errorEmptyEmail', type: 'email', autocomplete: 'email', inputmode: 'email' },
    phone: { label: 'inputLabelPhone', empty: 'errorEmptyPhone', type: 'tel', autocomplete: 'tel', inputmode: 'tel' }
  }
  const REFERENCE = /^[A-Z]{2,5}-\d{3,10}$/
  const TRAILING_PUNCTUATION = /[.,;:!?'"\u2019\u201d]+$/
  let instances = 0

  function format(template, values) {
    return String(template).replace(/%\{(\w+)\}/g, (match, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match
    )
  }

  function element(tagName, className, text) {
    const el = document.createElement(tagName)
    if (className) {
      el.className = className
    }
    if (text !== undefined && text !== null) {
      el.textContent = text
    }
    return el
  }

  function button(className, text) {
    const el = element('button', className, text)
    el.type = 'button'
    return el
  }

  function visuallyHidden(text) {
    return element('span', 'app-chat__visually-hidden', text)
  }

  function removeChildren(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild)
    }
  }

  // A template placeholder the server did not fill in is no value.
  function usable(value) {
    return typeof value === 'string' && value.trim() !== '' && value.indexOf('{{') === -1
  }

  // data-* attributes override DEFAULTS, read as the default's type.
  function readConfig($module) {
    const config = {}
    Object.keys(DEFAULTS).forEach((key) => {
      const fallback = DEFAULTS[key]
      const raw = $module.dataset[key]
      if (!usable(raw)) {
        config[key] = fallback
      } else if (typeof fallback === 'number') {
        const number = parseInt(raw, 10)
        config[key] = isFinite(number) && number > 0 ? number : fallback
      } else {
        config[key] = raw.trim()
      }
    })
    config.apiBase = config.apiBase.replace(/\/+$/, '')
    return config
  }

  // Storage can be blocked or full; the widget then works for this page view only.
  const storage = {
    read(area, key) {
      try {
        return window[area].getItem(key)
      } catch (error) {
        return null
      }
    },
    write(area, key, value) {
      try {
        if (value === null) {
          window[area].removeItem(key)
        } else {
          window[area].setItem(key, value)
        }
      } catch (error) {
        // nothing to keep
      }
    }
  }

  /** A random id for one message send (retries of it reuse the id). */
  function messageId() {
    const bytes = new Uint8Array(16)
    window.crypto.getRandomValues(bytes)
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  }

  /**
   * A message's time as GOV.UK writes it: "1:42pm", "midday"; with the day when it was not
   * today ("4 December at 1:42pm").
   */
  function messageTime(date, now) {
    let hours = date.getHours()
    const minutes = date.getMinutes()
    let time
    if (minutes === 0 && (hours === 0 || hours === 12)) {
      time = hours === 0 ? 'midnight' : 'midday'
    } else {
      const suffix = hours < 12 ? 'am' : 'pm'
      hours = hours % 12 || 12
      time = `${hours}:${String(minutes).padStart(2, '0')}${suffix}`
    }
    if (date.toDateString() === now.toDateString()) {
      return time
    }
    const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long' }).format(date)
    return `${day} at ${time}`
  }

  /** A failed call: the gateway's status and `detail`, or status 0 for the network. */
  class ApiError extends Error {
    constructor(status, detail, retryAfter) {
      super(detail || `Request failed with status ${status}`)
      this.name = 'ApiError'
      this.status = status
      this.detail = detail || ''
      this.retryAfter = retryAfter || 0
    }
  }

  /**
   * Text as blocks: paragraphs (their lines) and bulleted lists. A blank line ends a
   * paragraph; lines starting with "- ", "* " or "• " make a list.
   */
  function textBlocks(text) {
    const blocks = []
    let current = null
    String(text || '')
      .split(/\r\n|\r|\n/)
      .forEach((line) => {
        const bullet = /^\s*[-*\u2022]\s+(.*)$/.exec(line)
        const type = bullet ? 'list' : 'paragraph'
        if (!bullet && line.trim() === '') {
          current = null
          return
        }
        if (!current || current.type !== type) {
          current = { type, lines: [] }
          blocks.push(current)
        }
        current.lines.push(bullet ? bullet[1] : line)
      })
    return blocks
  }

  // Only http:, https: and mailto: URLs become links; anything else stays text.
  function safeUrl(candidate) {
    let url
    try {
      url = new URL(candidate)
    } catch (error) {
      return null
    }
    return ['http:', 'https:', 'mailto:'].indexOf(url.protocol) === -1 ? null : url
  }

  // Punctuation after a URL ends the sentence, not the URL; a closing bracket belongs
  // to the URL only if the URL opened one.
  function trimUrl(candidate) {
    let url = candidate.replace(TRAILING_PUNCTUATION, '')
    while (/[)\]]$/.test(url)) {
      const close = url.charAt(url.length - 1)
      const open = close === ')' ? '(' : '['
      if (url.split(open).length >= url.split(close).length) {
        break
      }
      url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '')
    }
    return url
  }

  /**
   * Server-sent events parser: feed it decoded text; it calls onEvent(type, data, id)
   * for each complete event. Comment lines (heartbeats) are skipped.
   */
  class EventStreamParser {
    constructor(onEvent) {
      this.onEvent = onEvent
      this.buffer = ''
      this.afterCarriageReturn = false
      this.reset()
    }

    reset() {
      this.type = ''
      this.data = []
      this.id = null
    }

    feed(text) {
      let buffer = this.buffer + text
      // "\r\n" split across two chunks is one line end, not two.
      if (this.afterCarriageReturn && buffer.charAt(0) === '\n') {
        buffer = buffer.slice(1)
      }
      this.afterCarriageReturn = false
      let start = 0
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charAt(i)
        if (c !== '\n' && c !== '\r') {
          continue
        }
        this.line(buffer.slice(start, i))
        if (c === '\r') {
          if (i + 1 === buffer.length) {
            this.afterCarriageReturn = true
          } else if (buffer.charAt(i + 1) === '\n') {
            i += 1
          }
        }
        start = i + 1
      }
      this.buffer = buffer.slice(start)
    }

    line(line) {
      if (line === '') {
        if (this.data.length) {
          this.onEvent(this.type || 'message', this.data.join('\n'), this.id)
        }
        this.reset()
        return
      }
      if (line.charAt(0) === ':') {
        return
      }
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      let value = colon === -1 ? '' : line.slice(colon + 1)
      if (value.charAt(0) === ' ') {
        value = value.slice(1)
      }
      if (field === 'event') {
        this.type = value
      } else if (field === 'data') {
        this.data.push(value)
      } else if (field === 'id') {
        this.id = value
      }
    }
  }

  /**
   * Chat widget component
   *
   * A launcher button opens a panel with the conversation log, a question box with a
   * character count, and the typing, connection and error areas.
   */
  class ChatWidget {
    /**
     * @param {Element} $module - the `[data-module="app-chat-widget"]` element
     */
    constructor($module) {
      if (!($module instanceof HTMLElement)) {
        throw new Error(`${ChatWidget.moduleName}: the module element is missing`)
      }
      if ($module.hasAttribute(INIT_ATTRIBUTE)) {
        throw new Error(`${ChatWidget.moduleName}: already started on this element`)
      }
      if (!ChatWidget.isSupported()) {
        throw new Error(`${ChatWidget.moduleName}: this browser is not supported`)
      }
      $module.setAttribute(INIT_ATTRIBUTE, '')

      this.$module = $module
      this.config = readConfig($module)
      this.id = `app-chat-${++instances}`
      this.hotlineNumber = this.config.hotlineNumber
      this.maxLength = this.config.maxLength

      this.conversation = null // {conversation_id, token, max_message_length, hotline_number}
      this.historyLoaded = false
      this.starting = null // a promise while a conversation is created or its history loaded
      this.sending = null // the send in progress: one question at a time
      this.generation = 0 // bumped whenever the conversation is dropped: late answers are ignored
      this.messages = new Map() // message id -> element
      // Where the event stream and a catch-up resume: every message up to this id has
      // arrived in order (history, catch-up or stream). A reply to a send can overtake a
      // staff message the stream has not brought yet, so replies never move it.
      this.lastId = 0
      this.retryAt = 0
      this.isOpen = false
      this.countTimer = null
      this.inputKind = 'text'
      // The hotline references this visitor was given, kept when they start again.
      this.references = this.readReferences()
      this.stream = {
        controller: null,
        attempt: 0,
        connectedAt: 0,
        reconnectTimer: null,
        noticeTimer: null,
        idleTimer: null,
        stopped: false
      }

      this.build()
      this.bindEvents()
      this.updateReference()
      document.documentElement.classList.add('app-chat-is-enhanced')

      this.conversation = this.readStoredConversation()
      if (this.conversation) {
        this.ensureConversation()
      }
      if (storage.read('sessionStorage', this.config.openStateKey) === 'true') {
        this.open({ moveFocus: false }) // reopen quietly: don't take focus from the page
      }
    }

    static isSupported() {
      return Boolean(
        window.fetch &&
          window.AbortController &&
          window.TextDecoder &&
          window.ReadableStream &&
          window.URL &&
          window.Map &&
          Element.prototype.closest
      )
    }

    // ---- DOM -----------------------------------------------------------------

    build() {
      const { config, id, $module } = this
      removeChildren($module)

      const $launcher = button('app-chat__launcher js-app-chat-launcher')
      $launcher.setAttribute('aria-expanded', 'false')
      $launcher.setAttribute('aria-controls', `${id}-panel`)
      $launcher.appendChild(element('span', 'app-chat__launcher-text', config.launcherText))
      const $unread = element('span', 'app-chat__launcher-unread js-app-chat-unread')
      $unread.hidden = true
      $unread.appendChild(visuallyHidden(` ${config.newMessageText}`))
      $launcher.appendChild($unread)

      const $panel = element('section', 'app-chat__panel js-app-chat-panel')
      $panel.id = `${id}-panel`
      $panel.setAttribute('aria-labelledby', `${id}-title`)
      $panel.hidden = true

      const $header = element('div', 'app-chat__header')
      const $title = element('h2', 'app-chat__title', config.title)
      $title.id = `${id}-title`
      const $actions = element('div', 'app-chat__actions')
      const $restart = button('app-chat__header-button app-chat__restart js-app-chat-restart', config.restartText)
      const $close = button('app-chat__header-button app-chat__close js-app-chat-close', config.closeText)
      $close.setAttribute('aria-label', config.closeLabel)
      $actions.appendChild($restart)
      $actions.appendChild($close)
      $header.appendChild($title)
      $header.appendChild($actions)
      // Who the visitor is talking to, while the hotline team has the conversation.
      const $status = element('p', 'app-chat__status js-app-chat-status')
      $status.setAttribute('role', 'status')
      $status.hidden = true
      $header.appendChild($status)

      // "Start again" asks first; the reference a visitor was given is never lost.
      const $confirm = element('div', 'app-chat__confirm js-app-chat-confirm')
      $confirm.id = `${id}-confirm`
      $confirm.setAttribute('role', 'group')
      $confirm.setAttribute('aria-labelledby', `${id}-confirm-title`)
      $confirm.tabIndex = -1
      $confirm.hidden = true
      const $confirmTitle = element('p', 'app-chat__confirm-title', config.restartConfirmTitle)
      $confirmTitle.id = `${id}-confirm-title`
      const $confirmText = element('p', 'app-chat__confirm-text js-app-chat-confirm-text')
      const $confirmButtons = element('div', 'app-chat__confirm-buttons')
      const $confirmYes = button('app-chat__button app-chat__button--warning js-app-chat-confirm-yes', config.restartConfirmYes)
      const $confirmNo = button('app-chat__button js-app-chat-confirm-no', config.restartConfirmNo)
      $confirmButtons.appendChild($confirmYes)
      $confirmButtons.appendChild($confirmNo)
      $confirm.appendChild($confirmTitle)
      $confirm.appendChild($confirmText)
      $confirm.appendChild($confirmButtons)

      const $reference = element('p', 'app-chat__reference js-app-chat-reference')
      $reference.hidden = true

      const $connection = element('p', 'app-chat__connection js-app-chat-connection')
      $connection.setAttribute('role', 'status')

      const $log = element('div', 'app-chat__log js-app-chat-log')
      $log.id = `${id}-log`
      $log.setAttribute('role', 'log')
      $log.setAttribute('aria-live', 'polite')
      $log.setAttribute('aria-relevant', 'additions')
      $log.setAttribute('aria-label', config.logLabel)
      $log.tabIndex = 0 // a scrolling region keyboard users can scroll

      const $typing = element('div', 'app-chat__typing js-app-chat-typing')
      $typing.setAttribute('role', 'status')

      const $error = element('div', 'app-chat__error js-app-chat-error')
      $error.setAttribute('role', 'alert')

      const $form = element('form', 'app-chat__form js-app-chat-form')
      $form.noValidate = true
      const $label = element('label', 'app-chat__label', config.inputLabel)
      $label.htmlFor = `${id}-input`
      const $hint = element('div', 'app-chat__visually-hidden js-app-chat-hint')
      $hint.id = `${id}-input-info`
      const $row = element('div', 'app-chat__input-row')
      const $input = element('textarea', 'app-chat__input js-app-chat-input')
      $input.id = `${id}-input`
      $input.name = 'text'
      $input.rows = 2
      $input.setAttribute('autocomplete', 'off')
      $input.setAttribute('aria-describedby', `${id}-input-info`)
      // For a name, an email address or a phone number: one line, with its own keyboard.
      const $line = element('input', 'app-chat__input app-chat__input--line js-app-chat-input')
      $line.name = 'text'
      $line.setAttribute('aria-describedby', `${id}-input-info`)
      $line.setAttribute('spellcheck', 'false')
      const $send = element('button', 'app-chat__send js-app-chat-send', config.sendText)
      $send.type = 'submit'
      // As govuk-frontend's character count: a visible count screen readers skip, and a
      // polite status that speaks once typing pauses.
      const $count = element('div', 'app-chat__count js-app-chat-count')
      $count.setAttribute('aria-hidden', 'true')
      const $countStatus = element('div', 'app-chat__visually-hidden js-app-chat-count-status')
      $countStatus.setAttribute('aria-live', 'polite')
      $row.appendChild($input)
      $row.appendChild($send)
      $form.appendChild($label)
      $form.appendChild($hint)
      $form.appendChild($row)
      $form.appendChild($count)
      $form.appendChild($countStatus)

      $panel.appendChild($header)
      $panel.appendChild($confirm)
      $panel.appendChild($reference)
      $panel.appendChild($connection)
      $panel.appendChild($log)
      $panel.appendChild($typing)
      $panel.appendChild($error)
      $panel.appendChild($form)

      $module.appendChild($panel)
      $module.appendChild($launcher)

      Object.assign(this, {
        $launcher,
        $unread,
        $panel,
        $restart,
        $close,
        $status,
        $confirm,
        $confirmText,
        $confirmYes,
        $confirmNo,
        $reference,
        $label,
        $textarea: $input,
        $line,
        $connection,
        $log,
        $typing,
        $error,
        $form,
        $input,
        $hint,
        $count,
        $countStatus,
        $send
      })
      this.updateLimit()
    }

    bindEvents() {
      this.$launcher.addEventListener('click', () => {
        if (this.isOpen) {
          this.close()
        } else {
          this.open({ moveFocus: true })
        }
      })
      this.$close.addEventListener('click', () => {
        this.close()
        this.$launcher.focus()
      })
      this.$restart.addEventListener('click', () => this.askToRestart())
      this.$confirmYes.addEventListener('click', () => this.restart())
      this.$confirmNo.addEventListener('click', () => this.cancelRestart())
      this.$panel.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' || event.key === 'Esc') {
          event.preventDefault()
          if (!this.$confirm.hidden) {
            this.cancelRestart()
            return
          }
          this.close()
          this.$launcher.focus()
        }
      })
      this.$form.addEventListener('submit', (event) => {
        event.preventDefault()
        this.submitText()
      })
      ;[this.$textarea, this.$line].forEach(($box) => {
        $box.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault()
            this.submitText()
          }
        })
        $box.addEventListener('input', () => this.updateCount())
      })
      this.$log.addEventListener('click', (event) => {
        const $option = event.target instanceof Element ? event.target.closest('.js-app-chat-option') : null
        if ($option && this.$log.contains($option)) {
          this.chooseOption($option)
        }
      })
      window.addEventListener('storage', (event) => {
        if (event.key === this.config.storageKey || event.key === null) {
          this.followOtherTab()
        }
      })
      window.addEventListener('pagehide', () => this.stopStream())
      window.addEventListener('pageshow', (event) => {
        this.updateCount() // form values come back after a "back" navigation
        if (event.persisted && this.conversation && this.historyLoaded) {
          this.startStream()
        }
      })
    }

    // ---- Opening and closing -------------------------------------------------

    open({ moveFocus }) {
      this.isOpen = true
      this.$panel.hidden = false
      this.$launcher.setAttribute('aria-expanded', 'true')
      this.$module.classList.add('app-chat--open')
      document.documentElement.classList.add('app-chat-is-open')
      this.$unread.hidden = true
      storage.write('sessionStorage', this.config.openStateKey, 'true')
      this.scrollToEnd()
      if (moveFocus) {
        this.$input.focus()
      }
      this.ensureConversation()
    }

    close() {
      this.isOpen = false
      this.$panel.hidden = true
      this.$launcher.setAttribute('aria-expanded', 'false')
      this.$module.classList.remove('app-chat--open')
      document.documentElement.classList.remove('app-chat-is-open')
      storage.write('sessionStorage', this.config.openStateKey, 'false')
    }

    // ---- Conversation --------------------------------------------------------

    readStoredConversation() {
      const raw = storage.read('localStorage', this.config.storageKey)
      if (!raw) {
        return null
      }
      try {
        const stored = JSON.parse(raw)
        if (stored && typeof stored.conversation_id === 'string' && typeof stored.token === 'string') {
          this.applyConversationSettings(stored)
          return stored
        }
      } catch (error) {
        // unreadable: start afresh
      }
      storage.write('localStorage', this.config.storageKey, null)
      return null
    }

    applyConversationSettings(conversation) {
      if (usable(conversation.hotline_number)) {
        this.hotlineNumber = conversation.hotline_number
      }
      const serverLimit = conversation.max_message_length
      if (typeof serverLimit === 'number' && serverLimit > 0) {
        // The gateway's limit is the one it enforces; a page may only ask for less.
        this.maxLength = usable(this.$module.dataset.maxLength) ? Math.min(this.config.maxLength, serverLimit) : serverLimit
        this.updateLimit()
      }
    }

    /**
     * Make sure there is a conversation with its history shown: load the stored one, or
     * create one (which greets) when there is none. Resolves to true when it is ready.
     */
    ensureConversation() {
      if (this.conversation && this.historyLoaded) {
        this.startStream()
        return Promise.resolve(true)
      }
      if (this.starting) {
        return this.starting
      }
      const work = this.conversation ? this.loadHistory() : this.createConversation()
      const starting = work.then((outcome) => {
        if (this.starting === starting) {
          this.starting = null
        }
        if (outcome === 'expired') {
          // The stored conversation is gone: start a new one once someone is looking.
          return this.isOpen || this.sending ? this.ensureConversation() : false
        }
        return outcome === true
      })
      this.starting = starting
      return starting
    }

    loadHistory() {
      const generation = this.generation
      return this.request('GET', `${this.conversationPath()}/messages?after=0`, { auth: true })
        .then((data) => {
          if (generation !== this.generation) {
            return false
          }
          this.historyLoaded = true
          this.addMessages(data && data.messages, { inOrder: true })
          this.startStream()
          return true
        })
        .catch((error) => {
          if (generation !== this.generation) {
            return false
          }
          if (error.status === 401 || error.status === 404) {
            this.forgetConversation()
            return 'expired'
          }
          this.showError(error)
          return false
        })
    }

    createConversation() {
      const generation = this.generation
      this.setTyping(true)
      // A brand-new conversation opens with the assistant's greeting and its buttons; the
      // visitor has said nothing, so nothing is shown (or stored) as theirs.
      return this.request('POST', '/conversations', { body: { greet: true } })
        .then((created) => {
          if (generation !== this.generation) {
            return false
          }
          if (!created || typeof created.conversation_id !== 'string' || typeof created.token !== 'string') {
            throw new ApiError(502, '')
          }
          const stored = {
            conversation_id: created.conversation_id,
            token: created.token,
            max_message_length: created.max_message_length,
            hotline_number: created.hotline_number
          }
          this.conversation = stored
          this.historyLoaded = true
          this.applyConversationSettings(stored)
          storage.write('localStorage', this.config.storageKey, JSON.stringify(stored))
          this.addMessages(created.messages, { inOrder: true })
          this.startStream()
          return true
        })
        .then(
          (posted) => posted !== false,
          (error) => {
            if (generation === this.generation) {
              this.showError(error)
            }
            // A conversation without its greeting still works: the visitor can type.
            return Boolean(this.conversation)
          }
        )
        .then((ready) => {
          if (generation === this.generation && !this.sending) {
            this.setTyping(false)
          }
          return ready
        })
    }

    /**
     * Drop the conversation from this page: stop the stream, clear the log, and ignore
     * answers still on their way. Unless `keepStorage`, forget it in storage too.
     */
    forgetConversation({ keepStorage } = {}) {
      const forgotten = this.conversation
      this.generation += 1
      this.stopStream()
      this.conversation = null
      this.historyLoaded = false
      this.starting = null
      this.lastId = 0
      this.messages = new Map()
      this.retryAt = 0
      removeChildren(this.$log)
      this.setTyping(false)
      this.clearError()
      this.setLive(null)
      this.setInputKind('text')
      this.updateReference()
      if (!keepStorage) {
        const stored = storage.read('localStorage', this.config.storageKey)
        // Another tab may already have stored a newer conversation: leave that alone.
        if (!stored || !forgotten || stored.indexOf(JSON.stringify(forgotten.conversation_id)) !== -1) {
          storage.write('localStorage', this.config.storageKey, null)
        }
      }
    }

    askToRestart() {
      const reference = this.references[this.references.length - 1]
      let text = this.config.restartConfirmText
      if (reference) {
        text += ` ${format(this.config.restartConfirmReference, { reference })}`
      }
      this.$confirmText.textContent = text
      this.$confirm.hidden = false
      this.$restart.setAttribute('aria-expanded', 'true')
      this.$confirm.focus()
    }

    cancelRestart() {
      this.$confirm.hidden = true
      this.$restart.setAttribute('aria-expanded', 'false')
      this.$restart.focus()
    }

    restart() {
      this.$confirm.hidden = true
      this.$restart.setAttribute('aria-expanded', 'false')
      this.forgetConversation()
      this.sending = null // whatever was on its way belonged to the old conversation
      this.$send.disabled = false
      this.$input.focus()
      this.ensureConversation()
    }

    // ---- References ----------------------------------------------------------

    readReferences() {
      try {
        const stored = JSON.parse(storage.read('localStorage', this.config.referencesKey) || '[]')
        return Array.isArray(stored) ? stored.filter((r) => typeof r === 'string' && REFERENCE.test(r)).slice(-3) : []
      } catch (error) {
        return []
      }
    }

    keepReference(reference) {
      if (typeof reference !== 'string' || !REFERENCE.test(reference)) {
        return
      }
      this.references = this.readReferences().filter((r) => r !== reference)
      this.references.push(reference)
      this.references = this.references.slice(-3)
      storage.write('localStorage', this.config.referencesKey, JSON.stringify(this.references))
      this.updateReference()
    }

    // The latest reference stays in view when the conversation that gave it is not shown.
    updateReference() {
      const reference = this.references[this.references.length - 1]
      const shown = reference && this.$log.querySelector(`[data-ticket-reference="${reference}"]`)
      if (!reference || shown) {
        this.$reference.hidden = true
        this.$reference.textContent = ''
        return
      }
      removeChildren(this.$reference)
      this.appendLinkified(this.$reference, format(this.config.referenceText, { reference, number: this.hotlineNumber }), true)
      this.$reference.hidden = false
    }

    // Another tab of this visit started again: show the same conversation here.
    followOtherTab() {
      const raw = storage.read('localStorage', this.config.storageKey)
      let stored = null
      try {
        stored = raw ? JSON.parse(raw) : null
      } catch (error) {
        stored = null
      }
      const current = this.conversation
      if (stored && current && stored.conversation_id === current.conversation_id) {
        return
      }
      if (!stored && !current) {
        return
      }
      this.forgetConversation({ keepStorage: true })
      if (stored && typeof stored.conversation_id === 'string' && typeof stored.token === 'string') {
        this.applyConversationSettings(stored)
        this.conversation = stored
        this.ensureConversation()
      }
    }

    conversationPath() {
      return `/conversations/${encodeURIComponent(this.conversation.conversation_id)}`
    }

    // ---- Sending -------------------------------------------------------------

    submitText() {
      if (this.sending) {
        return // one question at a time
      }
      const text = this.$input.value.trim()
      if (!text) {
        this.showInputError(this.config[INPUT_KINDS[this.inputKind].empty])
        return
      }
      if (text.length > this.maxLength) {
        this.showInputError(format(this.config.errorTooLong, { count: this.maxLength }))
        return
      }
      this.send({ text }).then((outcome) => {
        // Clear the box unless the visitor has typed something new while waiting.
        if (outcome === 'sent' && this.$input.value.trim() === text) {
          this.$input.value = ''
          this.$input.removeAttribute('aria-invalid')
          this.updateCount()
        } else if (outcome === 'invalid') {
          this.$input.setAttribute('aria-invalid', 'true')
        }
        // otherwise the text stays in the box, so nothing the visitor wrote is lost
      })
    }

    chooseOption($option) {
      if ($option.disabled) {
        return
      }
      if (this.sending) {
        // A reply can be on the page before its request has finished: take the click
        // once the message in flight is done, rather than dropping it.
        const retry = () => this.chooseOption($option)
        this.sending.then(retry, retry)
        return
      }
      const $group = $option.closest('.js-app-chat-options')
      const $options = $group ? Array.from($group.querySelectorAll('.js-app-chat-option')) : [$option]
      const setDisabled = (disabled) => $options.forEach(($each) => ($each.disabled = disabled))
      setDisabled(true)
      $option.setAttribute('aria-pressed', 'true')
      this.$input.focus() // the chosen button is disabled now and cannot keep focus
      const payload = $option.getAttribute('data-payload')
      const title = $option.getAttribute('data-title')
      this.send({ payload, title }).then((outcome) => {
        if (outcome === 'expired-option') {
          $option.removeAttribute('aria-pressed') // the conversation has moved on: it stays disabled
          if ($group) {
            $group.classList.add('app-chat__buttons--expired')
          }
        } else if (outcome !== 'sent' && $option.isConnected) {
          $option.removeAttribute('aria-pressed') // not received: let the visitor choose again
          setDisabled(false)
        }
      })
    }

    /**
     * Send a message and show what comes back. Resolves to 'sent', 'invalid' (422),
     * 'expired' or 'failed' (not acknowledged: the text stays in the box).
     */
    send(body) {
      if (this.sending) {
        return Promise.resolve('busy')
      }
      const wait = Math.ceil((this.retryAt - Date.now()) / 1000)
      if (wait > 0) {
        this.showErrorText(format(this.config.errorWait, { count: wait }))
        return Promise.resolve('failed')
      }
      this.clearError()
      this.$send.disabled = true
      this.setTyping(true)
      // One id per send, kept while the same message is sent again after a failure: the
      // gateway answers a repeat from what it stored, never twice.
      const key = JSON.stringify(body)
      if (!this.unsent || this.unsent.key !== key) {
        this.unsent = { key, id: messageId() }
      }
      body = Object.assign({}, body, { client_message_id: this.unsent.id })

      const sending = this.ensureConversation()
        .then((ready) => {
          if (!ready || !this.conversation) {
            return 'failed'
          }
          const generation = this.generation
          return this.post(body, generation).then(
            (posted) => (posted ? 'sent' : 'failed'),
            (error) => this.sendFailed(error, generation)
          )
        })
        .then((outcome) => {
          if (outcome !== 'failed') {
            this.unsent = null
          }
          if (this.sending === sending) {
            this.sending = null
            this.$send.disabled = false
            this.setTyping(false)
          }
          if (outcome === 'expired') {
            this.ensureConversation().then(() => this.showErrorText(this.config.errorExpired))
          }
          return outcome
        })
      this.sending = sending
      return sending
    }

    // POST one message; show the stored message and the replies, with the start of the
    // answer in view. Rejects with ApiError.
    post(body, generation) {
      return this.request('POST', `${this.conversationPath()}/messages`, { auth: true, body }).then((data) => {
        if (generation !== this.generation) {
          return false
        }
        if (data && data.message) {
          this.addMessage(data.message)
        }
        const added = this.addMessages(data && data.replies)
        if (added.length) {
          this.reveal(added[0])
        }
        return true
      })
    }

    sendFailed(error, generation) {
      if (generation !== this.generation) {
        return 'failed'
      }
      if (error.status === 401 || error.status === 404) {
        this.forgetConversation()
        return 'expired'
      }
      if (error.status === 429) {
        this.retryAt = Date.now() + (error.retryAfter || 5) * 1000
      }
      this.showError(error)
      if (error.status === 409) {
        return 'expired-option' // a button from earlier in the conversation
      }
      if (error.status === 422) {
        return 'invalid'
      }
      if (error.status >= 500 || error.status === 0) {
        // Not acknowledged, so perhaps not stored (the store or the instance was down):
        // the text stays in the box to send again, and anything that was stored is shown.
        this.catchUp()
      }
      return 'failed'
    }

    // Fetch whatever is newer than the last message shown.
    catchUp() {
      if (!this.conversation) {
        return
      }
      const generation = this.generation
      this.request('GET', `${this.conversationPath()}/messages?after=${this.lastId}`, { auth: true })
        .then((data) => {
          if (generation === this.generation) {
            this.addMessages(data && data.messages, { inOrder: true })
          }
        })
        .catch(() => {
          // the stream will bring them
        })
    }

    // ---- HTTP ----------------------------------------------------------------

    request(method, path, { auth, body }) {
      const headers = { Accept: 'application/json' }
      if (auth && this.conversation) {
        headers.Authorization = `Bearer ${this.conversation.token}`
      }
      const init = { method, headers, credentials: 'same-origin', cache: 'no-store' }
      if (body) {
        headers['Content-Type'] = 'application/json'
        init.body = JSON.stringify(body)
      }
      const controller = new AbortController()
      init.signal = controller.signal
      const timer = window.setTimeout(() => controller.abort(), this.config.requestTimeout)

      return window
        .fetch(this.config.apiBase + path, init)
        .then((response) =>
          response.text().then((raw) => {
            let data = null
            try {
              data = raw ? JSON.parse(raw) : null
            } catch (error) {
              data = null // a proxy's HTML error page, say
            }
            if (response.ok) {
              return data
            }
            const detail = data && typeof data.detail === 'string' ? data.detail : ''
            const retryAfter = parseInt(response.headers.get('Retry-After'), 10)
            throw new ApiError(response.status, detail, isFinite(retryAfter) ? retryAfter : 0)
          })
        )
        .then(
          (data) => {
            window.clearTimeout(timer)
            return data
          },
          (error) => {
            window.clearTimeout(timer)
            // Anything but an answer from the gateway is the network: offline, refused, timed out.
            throw error instanceof ApiError ? error : new ApiError(0, '')
          }
        )
    }

    // ---- The event stream ----------------------------------------------------

    startStream() {
      const stream = this.stream
      if (stream.controller || stream.reconnectTimer || !this.conversation) {
        return
      }
      stream.stopped = false
      this.connectStream()
    }

    stopStream() {
      const stream = this.stream
      stream.stopped = true
      if (stream.controller) {
        stream.controller.abort()
        stream.controller = null
      }
      window.clearTimeout(stream.reconnectTimer)
      window.clearTimeout(stream.noticeTimer)
      window.clearTimeout(stream.idleTimer)
      stream.reconnectTimer = null
      stream.noticeTimer = null
      stream.idleTimer = null
      stream.attempt = 0
      stream.connectedAt = 0
      this.setConnectionNotice(false)
    }

    connectStream() {
      const stream = this.stream
      const generation = this.generation
      const reconnecting = stream.attempt > 0
      const controller = new AbortController()
      stream.controller = controller
      stream.reconnectTimer = null

      // Not a byte, not even a heartbeat, for this long: the connection is dead.
      const stillAlive = () => {
        window.clearTimeout(stream.idleTimer)
        stream.idleTimer = window.setTimeout(() => controller.abort(), this.config.streamIdleTimeout)
      }
      stillAlive()

      const parser = new EventStreamParser((type, data) => {
        if (type !== 'message' || generation !== this.generation) {
          return
        }
        let message = null
        try {
          message = JSON.parse(data)
        } catch (error) {
          return // not a message this widget understands
        }
        this.addMessage(message, { live: true, inOrder: true })
      })

      window
        .fetch(`${this.config.apiBase}${this.conversationPath()}/events`, {
          method: 'GET',
          headers: {
            Accept: 'text/event-stream',
            Authorization: `Bearer ${this.conversation.token}`,
            // Resume after the last message shown, so nothing is missed.
            'Last-Event-ID': String(this.lastId)
          },
          credentials: 'same-origin',
          cache: 'no-store',
          signal: controller.signal
        })
        .then((response) => {
          if (generation !== this.generation || stream.controller !== controller) {
            controller.abort()
            return
          }
          if (response.status === 401 || response.status === 404) {
            this.conversationGone()
            return
          }
          if (!response.ok || !response.body) {
            throw new ApiError(response.status, '')
          }
          stream.connectedAt = Date.now()
          window.clearTimeout(stream.noticeTimer)
          stream.noticeTimer = null
          this.setConnectionNotice(false)
          if (reconnecting) {
            this.catchUp()
          }
          const reader = response.body.getReader()
          const decoder = new TextDecoder('utf-8')
          const pump = () =>
            reader.read().then(({ done, value }) => {
              if (done) {
                return undefined
              }
              stillAlive()
              parser.feed(decoder.decode(value, { stream: true }))
              return pump()
            })
          return pump().then(() => this.streamEnded(controller, generation))
        })
        .catch(() => this.streamEnded(controller, generation))
    }

    // The stream's conversation no longer exists, or is no longer ours.
    conversationGone() {
      this.forgetConversation()
      if (this.isOpen) {
        this.ensureConversation().then(() => this.showErrorText(this.config.errorExpired))
      }
    }

    // Reconnect with backoff (1s, 2s, 4s... up to reconnectMaxDelay) after any drop or end.
    streamEnded(controller, generation) {
      const stream = this.stream
      if (stream.controller !== controller) {
        return // stopped, or replaced already
      }
      window.clearTimeout(stream.idleTimer)
      stream.controller = null
      if (stream.stopped || generation !== this.generation || !this.conversation) {
        return
      }
      if (stream.connectedAt && Date.now() - stream.connectedAt > 10000) {
        stream.attempt = 0 // it was healthy for a while: back off from the start again
      }
      stream.connectedAt = 0
      const delay = Math.min(1000 * Math.pow(2, stream.attempt), this.config.reconnectMaxDelay)
      stream.attempt += 1
      // Say so only if reconnecting takes a moment, so a routine reconnect is silent.
      if (!stream.noticeTimer) {
        stream.noticeTimer = window.setTimeout(() => {
          stream.noticeTimer = null
          if (!stream.stopped && !stream.connectedAt) {
            this.setConnectionNotice(true)
          }
        }, this.config.reconnectNoticeDelay)
      }
      stream.reconnectTimer = window.setTimeout(() => {
        stream.reconnectTimer = null
        if (!stream.stopped && generation === this.generation && this.conversation) {
          this.connectStream()
        }
      }, delay)
    }

    setConnectionNotice(visible) {
      this.$connection.textContent = visible ? this.config.reconnectingText : ''
      this.$connection.classList.toggle('app-chat__connection--visible', visible)
    }

    // ---- Messages ------------------------------------------------------------

    // The messages not shown before, as elements.
    addMessages(messages, options = {}) {
      const added = []
      if (Array.isArray(messages)) {
        messages.forEach((message) => {
          const $message = this.addMessage(message, options)
          if ($message) {
            added.push($message)
          }
        })
      }
      return added
    }

    // Add one message in id order; a message already shown is not shown again. `inOrder`:
    // it came from a source that brings every message after lastId (see the constructor).
    addMessage(message, { live, inOrder } = {}) {
      if (!message || typeof message.id !== 'number' || !isFinite(message.id)) {
        return null
      }
      if (inOrder) {
        this.lastId = Math.max(this.lastId, message.id)
      }
      if (this.messages.has(message.id)) {
        return null
      }
      const $message = this.renderMessage(message)
      this.messages.set(message.id, $message)

      let $before = null
      const $children = this.$log.children
      for (let i = $children.length - 1; i >= 0; i--) {
        if (Number($children[i].getAttribute('data-message-id')) < message.id) {
          break
        }
        $before = $children[i]
      }
      const $log = this.$log
      const nearEnd = $log.scrollHeight - $log.scrollTop - $log.clientHeight < 80
      $log.insertBefore($message, $before)
      this.groupWithPrevious($message)
      if ($before) {
        this.groupWithPrevious($before)
      }

      if (message.sender === 'user') {
        this.markAnswered($message, message.text)
        this.retireOptions($message)
        this.scrollToEnd()
      } else if (nearEnd) {
        this.reveal($message)
      }
      if (typeof message.live === 'boolean') {
        this.setLive(message.live ? { author: message.author } : null)
      }
      if (message.ticket_reference) {
        this.keepReference(message.ticket_reference)
      }
      this.updateInputKind()
      if (live && !this.isOpen && message.sender !== 'user') {
        this.$unread.hidden = false
      }
      return $message
    }

    // A message from the same sender in the same minute as the one before it does not repeat
    // the name and time on screen (screen readers still hear them).
    groupWithPrevious($message) {
      const $previous = $message.previousElementSibling
      const same = (selector) => {
        const a = $previous && $previous.querySelector(selector)
        const b = $message.querySelector(selector)
        return a && b && a.textContent === b.textContent
      }
      const continued =
        Boolean($previous) &&
        $previous.getAttribute('data-sender') === $message.getAttribute('data-sender') &&
        same('.app-chat__sender-name') &&
        same('.app-chat__time')
      $message.classList.toggle('app-chat__message--continued', continued)
      // The same name and time again: hidden on screen with the shared visually-hidden class.
      const $sender = $message.querySelector('.app-chat__sender')
      if ($sender) {
        $sender.classList.toggle('app-chat__visually-hidden', continued)
      }
    }

    // Once the visitor has answered, the buttons before their message are spent: disabled,
    // so they leave the tab order and cannot send an old choice as a new question.
    retireOptions($userMessage) {
      Array.from(this.$log.querySelectorAll('.js-app-chat-options')).forEach(($group) => {
        // eslint-disable-next-line no-bitwise
        if ($userMessage.compareDocumentPosition($group) & Node.DOCUMENT_POSITION_PRECEDING) {
          $group.classList.add('app-chat__buttons--expired')
          $group.querySelectorAll('.js-app-chat-option').forEach(($option) => ($option.disabled = true))
        }
      })
    }

    // Scroll so a new answer starts in view: its top at the top of the log when it is
    // longer than the log, otherwise the end of the log.
    reveal($message) {
      const $log = this.$log
      const end = $log.scrollHeight - $log.clientHeight
      $log.scrollTop = Math.max(0, Math.min($message.offsetTop - 8, end))
    }

    // ---- Who the visitor is talking to, and what the box asks for -----------------

    setLive(live) {
      this.live = live
      const { config } = this
      if (!live) {
        this.$status.hidden = true
        this.$status.textContent = ''
        return
      }
      this.$status.textContent = usable(live.author)
        ? format(config.liveStatusNamed, { name: live.author })
        : config.liveStatus
      this.$status.hidden = false
    }

    // The box follows the latest question: a name, an email address or a phone number.
    updateInputKind() {
      const $last = this.$log.lastElementChild
      const kind = $last && $last.getAttribute('data-input')
      this.setInputKind(kind && INPUT_KINDS[kind] ? kind : 'text')
    }

    setInputKind(kind) {
      if (kind === this.inputKind || !INPUT_KINDS[kind]) {
        return
      }
      const settings = INPUT_KINDS[kind]
      const $old = this.$input
      const $new = settings.multiline ? this.$textarea : this.$line
      if ($new !== $old) {
        const hadFocus = document.activeElement === $old
        $new.value = $old.value
        $old.removeAttribute('id')
        $new.id = `${this.id}-input`
        $old.parentNode.replaceChild($new, $old)
        this.$input = $new
        if (hadFocus) {
          $new.focus()
        }
      }
      if (!settings.multiline) {
        $new.type = settings.type
        $new.setAttribute('inputmode', settings.inputmode || 'text')
      }
      $new.setAttribute('autocomplete', settings.autocomplete)
      $new.removeAttribute('aria-invalid')
      this.$label.textContent = this.config[settings.label]
      this.inputKind = kind
    }

    // A user message whose text is the title of a button on the bot message just before
    // it answered that message (in reloaded history, say): show which was chosen.
    markAnswered($userMessage, text) {
      const $previous = $userMessage.previousElementSibling
      if (!$previous) {
        return
      }
      const $options = Array.from($previous.querySelectorAll('.js-app-chat-option'))
      const $chosen = $options.find(($option) => $option.getAttribute('data-title') === text)
      if (!$chosen || $options.some(($option) => $option.hasAttribute('aria-pressed'))) {
        return
      }
      $options.forEach(($option) => ($option.disabled = true))
      $chosen.setAttribute('aria-pressed', 'true')
    }

    renderMessage(message) {
      const { config } = this
      const sender = SENDERS.indexOf(message.sender) === -1 ? 'system' : message.sender
      const $message = element('div', `app-chat__message app-chat__message--${sender} js-app-chat-message`)
      $message.setAttribute('data-message-id', String(message.id))
      $message.setAttribute('data-sender', sender)
      if (sender === 'bot' && INPUT_KINDS[message.input]) {
        $message.setAttribute('data-input', message.input)
      }
      if (typeof message.ticket_reference === 'string' && REFERENCE.test(message.ticket_reference)) {
        $message.setAttribute('data-ticket-reference', message.ticket_reference)
      }

      const labels = {
        user: config.senderUser,
        bot: config.senderBot,
        staff: usable(message.author) ? format(config.senderStaffNamed, { name: message.author }) : config.senderStaff,
        system: config.senderSystem
      }
      // System notes are visibly unlabelled; screen readers still hear what they are.
      const $sender = element('p', sender === 'system' ? 'app-chat__visually-hidden' : 'app-chat__sender')
      $sender.appendChild(element('span', 'app-chat__sender-name', labels[sender]))
      const sentAt = typeof message.created_at === 'string' ? new Date(message.created_at) : null
      if (sentAt && !isNaN(sentAt.getTime())) {
        const $time = element('time', 'app-chat__time', messageTime(sentAt, new Date()))
        $time.setAttribute('datetime', sentAt.toISOString())
        $sender.appendChild(document.createTextNode(' '))
        $sender.appendChild($time)
      }
      $sender.appendChild(visuallyHidden(':'))
      $message.appendChild($sender)

      const $bubble = element('div', 'app-chat__bubble')
      if (sender === 'bot' && message.card && typeof message.card.name === 'string') {
        $bubble.classList.add('app-chat__bubble--card')
        this.renderCard($bubble, message.card)
      } else {
        this.renderText($bubble, message.text, sender)
      }
      $message.appendChild($bubble)

      const offers = sender === 'bot' || sender === 'system'
      if (offers && Array.isArray(message.buttons) && message.buttons.length) {
        const $buttons = element('div', 'app-chat__buttons js-app-chat-options')
        $buttons.setAttribute('role', 'group')
        $buttons.setAttribute('aria-label', config.optionsLabel)
        message.buttons.forEach((option) => {
          if (!option || typeof option.title !== 'string' || typeof option.payload !== 'string') {
            return
          }
          const $option = button('app-chat__button js-app-chat-option', option.title)
          $option.setAttribute('data-payload', option.payload)
          $option.setAttribute('data-title', option.title)
          $buttons.appendChild($option)
        })
        if ($buttons.children.length) {
          $message.appendChild($buttons)
        }
      }
      return $message
    }

    // The service's own messages (bot, staff, notices) are written a line per paragraph;
    // what a visitor typed keeps its line breaks inside one paragraph.
    renderText($container, text, sender) {
      const ours = sender !== 'user'
      textBlocks(text).forEach((block) => {
        if (block.type === 'list') {
          const $list = element('ul', 'app-chat__list')
          block.lines.forEach((line) => {
            const $item = element('li', 'app-chat__list-item')
            this.appendLinkified($item, line, ours)
            $list.appendChild($item)
          })
          $container.appendChild($list)
        } else if (ours && sender !== 'staff') {
          block.lines.forEach((line) => $container.appendChild(this.paragraph(line)))
        } else {
          const $paragraph = element('p', 'app-chat__paragraph')
          block.lines.forEach((line, index) => {
            if (index > 0) {
              $paragraph.appendChild(document.createElement('br'))
            }
            this.appendLinkified($paragraph, line, ours)
          })
          $container.appendChild($paragraph)
        }
      })
    }

    // One line of the service's text as a paragraph; a source as a link named by its title.
    paragraph(line) {
      const source = SOURCE_LINE.exec(line.trim())
      const url = source && safeUrl(trimUrl(source[2]))
      if (url) {
        const $paragraph = element('p', 'app-chat__paragraph app-chat__source', this.config.sourceText)
        $paragraph.appendChild(this.link(url, source[1] || url.hostname + url.pathname.replace(/\/$/, '')))
        return $paragraph
      }
      const $paragraph = element('p', 'app-chat__paragraph')
      this.appendLinkified($paragraph, line, true)
      return $paragraph
    }

    // An ambassador as a card: name, then what they do and where; the introduction button
    // follows the card.
    renderCard($container, card) {
      const { config } = this
      $container.appendChild(element('h3', 'app-chat__card-title', card.name))
      const rows = [
        ['role', config.cardRole],
        ['organisation', config.cardOrganisation],
        ['sectors', config.cardSectors],
        ['region', config.cardRegion],
        ['experience', config.cardExperience]
      ].filter(([key]) => usable(card[key]))
      if (rows.length) {
        const $details = element('dl', 'app-chat__card-details')
        rows.forEach(([key, label]) => {
          const $row = element('div', 'app-chat__card-row')
          $row.appendChild(element('dt', 'app-chat__card-key', label))
          $row.appendChild(element('dd', 'app-chat__card-value', card[key]))
          $details.appendChild($row)
        })
        $container.appendChild($details)
      }
      if (usable(card.as_of)) {
        $container.appendChild(element('p', 'app-chat__paragraph app-chat__card-note', card.as_of))
      }
    }

    // Text nodes for the text, <a> elements for the safe URLs in it; in the service's own
    // text, email addresses and phone numbers too.
    appendLinkified($parent, line, contacts) {
      const pattern = contacts ? CONTACT_PATTERN : LINK_PATTERN
      let position = 0
      let match
      pattern.lastIndex = 0
      while ((match = pattern.exec(line)) !== null) {
        const found = this.contactLink(match[0])
        if (!found) {
          continue
        }
        if (match.index > position) {
          $parent.appendChild(document.createTextNode(line.slice(position, match.index)))
        }
        $parent.appendChild(found.$link)
        position = match.index + found.length
        pattern.lastIndex = position
      }
      if (position < line.length) {
        $parent.appendChild(document.createTextNode(line.slice(position)))
      }
    }

    // A link for a URL, an email address or a phone number, and how much of the match it took.
    contactLink(candidate) {
      if (/^(?:https?:|mailto:)/i.test(candidate)) {
        const text = trimUrl(candidate)
        const url = safeUrl(text)
        return url ? { $link: this.link(url, text), length: text.length } : null
      }
      if (EMAIL.test(candidate)) {
        const url = safeUrl(`mailto:${candidate}`)
        return url ? { $link: this.link(url, candidate), length: candidate.length } : null
      }
      const $link = element('a', 'app-chat__link', candidate)
      $link.href = `tel:${candidate.replace(/[^\d+]/g, '')}`
      return { $link, length: candidate.length }
    }

    link(url, text) {
      const $link = element('a', 'app-chat__link', text)
      $link.href = url.href
      $link.rel = 'noopener noreferrer'
      // An email link opens the mail program, not a tab.
      if (url.protocol !== 'mailto:') {
        $link.target = '_blank'
        $link.appendChild(visuallyHidden(` ${this.config.newTabText}`))
      }
      return $link
    }

    scrollToEnd() {
      this.$log.scrollTop = this.$log.scrollHeight
    }

    // ---- Typing, errors and the character count --------------------------------

    setTyping(visible) {
      const $typing = this.$typing
      if (!visible) {
        $typing.classList.remove('app-chat__typing--visible')
        removeChildren($typing)
        return
      }
      if ($typing.firstChild) {
        return
      }
      $typing.classList.add('app-chat__typing--visible')
      const $dots = element('span', 'app-chat__typing-dots')
      $dots.setAttribute('aria-hidden', 'true')
      for (let i = 0; i < 3; i++) {
        $dots.appendChild(element('span', 'app-chat__typing-dot'))
      }
      $typing.appendChild($dots)
      $typing.appendChild(element('span', 'app-chat__typing-text', this.config.typingText))
    }

    showError(error) {
      const { config } = this
      const number = this.hotlineNumber
      let text
      if (error.status === 0 || error.status === 503 || (error.status >= 500 && !error.detail)) {
        text = format(config.errorUnavailable, { number })
      } else if (error.status === 429 && !error.detail) {
        text = format(config.errorWait, { count: error.retryAfter || 5 })
      } else {
        text = error.detail || format(config.errorGeneric, { number })
      }
      this.showErrorText(text)
    }

    showErrorText(text) {
      this.$error.textContent = text
      this.$error.classList.add('app-chat__error--visible')
    }

    showInputError(text) {
      this.$input.setAttribute('aria-invalid', 'true')
      this.showErrorText(text)
      this.$input.focus()
    }

    clearError() {
      this.$error.textContent = ''
      this.$error.classList.remove('app-chat__error--visible')
    }

    updateLimit() {
      this.$hint.textContent = format(this.config.inputHint, { count: this.maxLength })
      this.updateCount()
    }

    countMessage() {
      const { config } = this
      const remaining = this.maxLength - this.$input.value.length
      const count = Math.abs(remaining)
      if (remaining === 0) {
        return config.charactersAtLimit
      }
      if (remaining > 0) {
        return format(count === 1 ? config.charactersUnderLimitOne : config.charactersUnderLimitOther, { count })
      }
      return format(count === 1 ? config.charactersOverLimitOne : config.charactersOverLimitOther, { count })
    }

    updateCount() {
      const over = this.$input.value.length > this.maxLength
      this.$count.textContent = this.countMessage()
      this.$count.classList.toggle('app-chat__count--error', over)
      this.$input.classList.toggle('app-chat__input--error', over)
      if (over) {
        this.$input.setAttribute('aria-invalid', 'true')
      } else if (this.$input.getAttribute('aria-invalid') === 'true' && this.$input.value.trim()) {
        this.$input.removeAttribute('aria-invalid')
      }
      // Screen readers hear the count once typing pauses, not at every key.
      window.clearTimeout(this.countTimer)
      this.countTimer = window.setTimeout(() => {
        this.$countStatus.textContent = this.countMessage()
      }, 1000)
    }
  }

  ChatWidget.moduleName = 'app-chat-widget'
  ChatWidget.defaults = DEFAULTS

  function initAll(scope) {
    const $scope = scope instanceof Element || scope instanceof Document ? scope : document
    const widgets = []
    Array.from($scope.querySelectorAll(MODULE_SELECTOR)).forEach(($module) => {
      try {
        widgets.push(new ChatWidget($module))
      } catch (error) {
        // One widget that cannot start must not stop the page (or another widget).
        if (window.console) {
          window.console.log(error)
        }
      }
    })
    return widgets
  }

  window.AppChatWidget = Object.freeze({ ChatWidget, initAll, defaults: DEFAULTS })

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => initAll(document))
  } else {
    initAll(document)
  }
})()
