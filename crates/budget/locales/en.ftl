budget-title = Participatory budget
budget-intro = Residents propose projects for their district, the municipality checks them, and residents vote on how the money is spent.
budget-no-cycles = No participatory budget has been published yet.
budget-demo = demo data
budget-demo-note = Demo data: the projects and votes are invented.
budget-staff = Participatory budget (staff)
budget-phase = Phase
budget-phase-draft = In preparation
budget-phase-submission = Proposals
budget-phase-review = Review
budget-phase-voting = Voting
budget-phase-counting = Counting
budget-phase-results = Results
budget-phase-now = Current phase: { $phase }.
budget-current = now
budget-timeline = Timeline
budget-propose = Propose a project
budget-vote = Vote
budget-you-voted = You have voted
budget-results = Results
budget-n-ideas = { $n ->
    [one] { $n } project idea
   *[other] { $n } project ideas
}
budget-areas = Districts and their budgets
budget-area = District
budget-budget = Budget
budget-on-ballot = Projects on the ballot
budget-total = Total
budget-how = How it works
budget-secret = Your vote is secret: the municipality records that you voted, but not with your ballot.
budget-ballot-approval-rules = Choose from { $min } to { $max } projects.
budget-ballot-cumulative-rules = Share up to { $total } points among the projects, at most { $max } to one project.
budget-ballot-ranked-rules = Rank up to { $k } projects, the one you like most first.
budget-rule-greedy = Projects are funded in order of their votes; one that no longer fits the district's budget is skipped and the next is considered.
budget-rule-greedy-noskip = Projects are funded in order of their votes until the first one that no longer fits the district's budget.
budget-rule-greedy-threshold = Projects that reach the threshold are funded in order of their votes; one that no longer fits is skipped.
budget-rule-mes = The Method of Equal Shares: the budget is split equally among the voters, and a project is funded when its supporters can pay for it from their shares, the one costing each supporter least per euro first.
budget-threshold-is = { $n ->
    [one] The threshold is { $n } vote.
   *[other] The threshold is { $n } votes (or points).
}
budget-eligible-emso = To vote you need an account with your EMŠO (personal identification number) in your profile, or the national eID.
budget-eligible-age = { $age ->
    [one] You must be at least { $age } year old on the day you vote.
   *[other] You must be at least { $age } years old on the day you vote.
}
budget-eligible-resident = Only residents may vote: the address in your profile must have the postcode { $postcodes }.
budget-projects = Projects
budget-all-areas = All districts
budget-review = Review
budget-all-reviews = All
budget-review-pending = Awaiting review
budget-review-feasible = Feasible, on the ballot
budget-review-not_feasible = Not feasible
budget-search = Search
budget-filter = Show
budget-n-shown = { $n ->
    [one] { $n } project shown.
   *[other] { $n } projects shown.
}
budget-project-no = Project { $n }
budget-cost = Cost
budget-estimate = Proposer's estimate
budget-estimate-was = estimated at { $amount }
budget-cost-corrected = corrected by the municipality
budget-location = Location
budget-review-reason = Reason given by the municipality
budget-outcome = Outcome
budget-description = Description
budget-all-projects = All projects of this cycle
budget-form-errors = Please correct the following:
budget-idea-title = Title of the project
budget-optional = optional
budget-estimate-eur = Estimated cost in euros
budget-estimate-hint = For example 12500 or 12,500.00.
budget-submit-idea = Submit the proposal
budget-thanks = Thank you for voting
budget-vote-counted = Your ballot has been recorded and will be counted.
budget-ballot = Ballot
budget-paper = Paper ballots
budget-go-profile = Go to your profile
budget-choose-area = Choose your district
budget-n-on-ballot = { $n ->
    [one] { $n } project
   *[other] { $n } projects
}
budget-ballot-area = District: { $area }
budget-ballot-budget = budget { $budget }
budget-other-area = choose another district
budget-choose-projects = Projects you support
budget-details = details
budget-give-points = Your points
budget-points-total = { $n ->
    [one] You have { $n } point to share.
   *[other] You have { $n } points to share.
}
budget-points-left-js = Points left: {"{"}left{"}"} of {"{"}total{"}"}.
budget-rank-projects = Your ranking
budget-place = Place { $n }
budget-no-choice = (none)
budget-paper-details = About these ballots
budget-copies = Number of ballots marked like this
budget-copies-hint = Enter identical paper ballots at once.
budget-station = Polling station
budget-paper-emso = Voter's EMŠO (optional, one ballot)
budget-paper-emso-hint = Marks the voter as having voted, so they cannot also vote online.
budget-paper-enter = Enter the ballots
budget-paper-entered = { $n ->
    [one] { $n } ballot entered.
   *[other] { $n } ballots entered.
}
budget-cast = Cast my vote
budget-counting = Counting
budget-preview = Preview: the results are not published yet.
budget-ties = Ties are broken by lower cost first, then by more votes, then by the lower project number.
budget-score-means = What projects are ranked by:
budget-score-approval = the number of voters who chose the project
budget-score-cumulative = the points given to the project
budget-score-ranked = on each ballot of k places, k points for the first place, k − 1 for the second, and so on
budget-participation = Participation
budget-participation-total = { $ballots } ballots: { $online } online and { $paper } on paper.
budget-imported = { $n } imported.
budget-turnout-total = Share of eligible voters: { $share }.
budget-online = Online
budget-paper-short = Paper
budget-ballots = Ballots
budget-eligible = Eligible voters
budget-turnout = Share of eligible voters
budget-spent = Funded projects cost
budget-spent-by-rule = by the counting rule: { $amount }
budget-remaining = Remaining budget
budget-results-of = Results in { $area }
budget-rank = Rank
budget-project = Project
budget-votes = Votes
budget-score = Score
budget-override = Council decision
budget-funded = Funded
budget-not-funded = Not funded
budget-why-funded = Funded as number { $round } in the order of counting.
budget-why-mes-funded = Funded in round { $round }; each supporter paid ρ = { $rho } per euro of the project.
budget-why-did-not-fit = It did not fit: { $left } were left when its turn came.
budget-why-below-threshold = { $n ->
    [one] Below the threshold of { $n } vote.
   *[other] Below the threshold of { $n } votes.
}
budget-why-stopped = Counting stopped at an earlier project that did not fit.
budget-why-unaffordable = Its supporters' shares of the budget could no longer pay for it.
budget-override-funded = The decision was changed to funded by { $who } on { $when }: { $why }
budget-override-not-funded = The decision was changed to not funded by { $who } on { $when }: { $why }
budget-decided-by = Decided by (body, session)
budget-override-reason = Reason
budget-override-to-funded = Record: funded
budget-override-to-not-funded = Record: not funded
budget-export = Download the election in { $area } as a Pabulib file
budget-new-cycle = New cycle
budget-create-cycle = Create the cycle
budget-year = Year
budget-cycle-title = Title
budget-date-submission_from = Proposals from
budget-date-submission_to = Proposals until
budget-date-review_to = Review until
budget-date-voting_from = Voting from
budget-date-voting_to = Voting until
budget-date-results_on = Results on
budget-kind = Kind of ballot
budget-kind-approval = Approval (tick projects)
budget-kind-cumulative = Cumulative (share points)
budget-kind-ranked = Ranked (order projects)
budget-min-projects = Approval: at least this many projects
budget-max-projects = Approval: at most this many projects; ranked: places
budget-total-points = Cumulative: points to share
budget-max-points = Cumulative: most points for one project
budget-counting-rule = Counting
budget-rule = Counting rule
budget-threshold = Threshold (greedy with threshold: least votes or points)
budget-who-votes = Who may vote
budget-min-age = Minimum age (0: none)
budget-postcodes = Postcodes of residents
budget-postcodes-hint = Four-digit postcodes separated by commas; empty: no residence check.
budget-public-page = Public page
budget-review-ideas = Review proposals
budget-n-pending = { $n } awaiting review
budget-advance-to-submission = Open proposals
budget-advance-to-review = Close proposals and start the review
budget-advance-to-voting = Open voting
budget-advance-to-counting = Close voting
budget-advance-to-results = Publish the results
budget-area-name = Name of the district
budget-budget-eur = Budget in euros
budget-save = Save
budget-add-area = Add a district
budget-settings = Settings
budget-import = Import a Pabulib file
budget-import-hint = Creates a district with the file's budget, projects and ballots (historic data). Its vote type must match this cycle's ballot.
budget-import-file = Content of the .pb file
budget-no-ideas = No proposals yet.
budget-decision = Decision
budget-staff-cost = Cost in euros (correct the estimate if needed)
budget-review-reason-hint = Shown publicly. Required when the project is not feasible or its cost is corrected.
budget-save-review = Save the review
budget-n-votes = { $n ->
    [one] { $n } vote
   *[other] { $n } votes
}
error-no-emso = To vote, add your EMŠO to your profile (or sign in with the national eID).
error-too-young = You have not yet reached the age limit for this vote.
error-no-address = Only residents may vote: add your address to your profile.
error-not-resident = Only residents may vote, and the address in your profile is not in the municipality.
error-already-voted = You have already voted in this participatory budget.
error-voting-closed = Voting is not open.
error-wrong-phase = This is not possible in the current phase.
error-results-not-published = The results are not published yet.
error-ballot-fixed = The ballot cannot change once voting has started.
error-results-published = The counting rule cannot change once the results are published.
error-last-phase = The results are already published.
error-no-areas = Add at least one district first.
error-phase-changed = The phase changed meanwhile; reload the page.
error-busy = Please try again.
field-unknown-area = Choose a district of this cycle.
field-invalid-amount = Enter an amount in euros, e.g. 12500 or 12,500.00.
field-not-a-number = Enter a whole number.
field-invalid-characters = Contains characters that are not allowed.
field-name-taken = This name is already used in this cycle.
field-year-taken = There is already a cycle for this year.
field-reason-required = Give a reason: it is shown publicly.
field-min-above-max = The minimum is above the maximum.
field-invalid-date = Enter a date as YYYY-MM-DD.
field-before-start = The end is before the start.
field-invalid-postcodes = Enter four-digit postcodes separated by commas.
field-one-with-emso = With an EMŠO, enter one ballot at a time.
field-pb-unreadable = This is not a readable Pabulib file.
field-vote-type-mismatch = The file's vote type does not match this cycle's ballot.
field-budget-not-cents = The budget is not a whole number of cents.
field-cost-not-cents = A project's cost is not a whole number of cents.
field-points-not-whole = Points must be whole numbers.
field-no-projects = The file has no projects.
field-ballot-empty = Choose at least one project.
field-ballot-too-few = Choose more projects: see the rules above.
field-ballot-too-many = You chose too many projects: see the rules above.
field-ballot-unknown-project = A chosen project is not on this ballot.
field-ballot-repeated-project = A project is chosen more than once.
field-ballot-points-negative = Points cannot be negative.
field-ballot-points-per-project = A project got more points than allowed.
field-ballot-points-total = You gave more points than you have.
field-ballot-no-points = Give points to the projects you support.
field-ballot-points-not-number = Points must be whole numbers.
budget-voted-again = You have already voted
budget-second-ballot-refused = A second ballot is not accepted: your first ballot stands and will be counted.
budget-ballot-too-many = You chose { $n }, but this ballot allows at most { $max ->
    [one] { $max } project
   *[other] { $max } projects
}. Untick some.
budget-ballot-too-few = You chose { $n }, but this ballot needs at least { $min ->
    [one] { $min } project
   *[other] { $min } projects
}.
