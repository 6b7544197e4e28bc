bookings-title = Book municipal spaces
bookings-intro = Book halls, meeting rooms, sports grounds, youth spaces and EV charging points of the municipality. Free slots are shown without signing in; sign in to book.
bookings-mine = My bookings
bookings-capacity = Capacity: { $n }
bookings-hours-open = Open: { $hours }
bookings-needs-approval = The municipal administration confirms bookings.
bookings-not-bookable = This space cannot be booked on the portal yet.
bookings-kpi = Share of municipal spaces bookable
bookings-kpi-text = Bookable on the portal:
bookings-date = Date
bookings-show-day = Show day
bookings-prev-day = Previous day
bookings-next-day = Next day
bookings-day-caption = Slots on { $date }
bookings-time = Time
bookings-state = State
bookings-book = Book
bookings-sign-in-to-book = Sign in to book
bookings-start = Start
bookings-length = Length
bookings-on-behalf-of = Booking for
bookings-for-myself = Myself (natural person)
bookings-legal-person = Legal person with tax number { $tax }
bookings-note = Purpose or note (optional)
bookings-book-send = Book this slot
bookings-no-free-slots = No free slots on this day.
bookings-none = You have no bookings.
bookings-resource = Space
bookings-price = Price
bookings-booking = Booking
bookings-booked = Your booking is confirmed. The confirmation is in your notifications too.
bookings-booked-pending = Your booking is received and waits for the municipal administration to confirm it. We will tell you of the decision.
bookings-cancelled = The booking is cancelled.
bookings-location = Place
bookings-ics = Add to calendar (.ics)
bookings-cancel-until = You can cancel until { $time }.
bookings-cancel = Cancel booking
bookings-cancel-closed = The time to cancel ended { $time }.
bookings-staff = Bookings – occupancy and approval
bookings-pending = Waiting for approval
bookings-none-pending = No booking waits for approval.
bookings-confirm = Confirm
bookings-reject = Reject
bookings-occupancy = Occupancy
bookings-occupied = Slots held: { $share }
bookings-of-day = Bookings of this day
bookings-blocks = Blocks
bookings-unblock = Lift block
bookings-block = Block slots (maintenance)
bookings-block-reason = Reason
bookings-block-send = Block slots
bookings-form-errors = The booking could not be saved:
bookings-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
bookings-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
bookings-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
bookings-who-both = Natural and legal persons may book.
bookings-who-natural = Only natural persons may book.
bookings-who-legal = Only legal persons may book.
bookings-rule-lead = Book at least { $time } ahead.
bookings-rule-max = At most { $time } at a time.
bookings-rule-cancel = Cancel up to { $time } before the start.
bookings-rule-cancel-any = Cancel up to the start.
bookings-rule-horizon = { $n ->
    [one] At most { $n } day ahead.
   *[other] At most { $n } days ahead.
}
bookings-kind-hall = Hall
bookings-kind-meeting_room = Meeting room
bookings-kind-sports_ground = Sports ground
bookings-kind-youth_space = Youth space
bookings-kind-ev_charging = EV charging point
bookings-free-of-charge = Free of charge
bookings-price-per-slot = { $price }
bookings-slot-free = Free
bookings-slot-taken = Taken
bookings-slot-blocked = Closed (maintenance)
bookings-slot-closed = Not bookable
bookings-status-pending = Waiting for approval
bookings-status-confirmed = Confirmed
bookings-status-rejected = Rejected
bookings-status-cancelled = Cancelled
bookings-booker-natural = natural person
bookings-booker-legal = legal person { $tax }
bookings-done-blocked = The slots are blocked.
bookings-done-unblocked = The block is lifted.
bookings-done-confirmed = The booking is confirmed.
bookings-done-rejected = The booking is rejected.
bookings-done-cancelled = The booking is cancelled.
bookings-notice-confirmed-title = Booking confirmed: { $resource }
bookings-notice-confirmed-body = Your booking ({ $resource }, { $location }) is confirmed: { $when }.
bookings-notice-pending-title = Booking received: { $resource }
bookings-notice-pending-body = Your booking ({ $resource }, { $location }, { $when }) waits for the municipal administration to confirm it.
bookings-notice-rejected-title = Booking rejected: { $resource }
bookings-notice-rejected-body = The municipal administration did not confirm your booking ({ $resource }, { $when }).
bookings-notice-cancelled-title = Booking cancelled: { $resource }
bookings-notice-cancelled-body = The municipal administration cancelled your booking ({ $resource }, { $when }).
bookings-ics-summary = Booking: { $resource }
bookings-ics-description = Status: { $status }. Price: { $price }.
error-booking-slot-taken = Someone else has just booked this slot. Please choose another one.
error-booking-cancel-too-late = The time to cancel this booking has passed.
error-booking-not-active = This booking is no longer active.
error-booking-not-pending = This booking has been decided already.
error-not-representative = You do not represent this legal person.
field-booking-lead-time = This slot is too soon: book far enough ahead.
field-booking-too-far = This slot is too far ahead.
field-booking-too-long = The booking is too long.
field-booking-natural-only = Only natural persons may book this space.
field-booking-legal-only = Only legal persons may book this space.
field-resource-not-bookable = This space cannot be booked.
field-resource-unknown = There is no such space.
field-not-a-slot = Choose one of the slots offered.
field-after-closing = The booking must end by closing time.
field-ends-before-start = The end must come after the start.
