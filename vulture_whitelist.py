"""Names vulture cannot see being used: Django, the libraries and the templates read them by name.

Only what the framework calls belongs here; code nothing calls is deleted, not listed. Django's own
conventions (Meta, URLconfs, app configs, commands, middleware, validators) are in
[tool.vulture] ignore_names in pyproject.toml.
"""

# ruff: noqa: F821, B018
# Model fields and choices: the ORM, the forms and the Kind declarations name them in strings.
_.agenda
_.amount
_.appointed_on
_.authors
_.created_by
_.decisions
_.deleted_by
_.depth
_.document_no
_.filed_on
_.finalised_at
_.finalised_by
_.guests
_.host_text
_.inspector_text
_.issued_on
_.last_update
_.measures
_.opened_on
_.page_or_url
_.partners
_.place
_.reviewed_at
_.reviewer
_.updated_at
_.parent_id  # loadgen sets the foreign key before bulk_create
_.adding  # Model._state.adding, read by Django's unique validation
_.CASE
_.FORUM
_.MAJOR
_.MANUAL
_.MODERATE
_.OFFICE
_.PATROL
_.RED_STORY
_.STAFF
_.WEIBO

# Kinds bound to a name beside their model; register() puts them in the registry every layer reads.
LEADING_GROUP
MEETING
OPINION
POSITION
PUBLICITY
REPORT
RESPONSIBILITY
STUDY_PLAN
SUBMISSION_SCORE
SUBSCRIPTION
_.unregister  # the tests take back a throwaway kind they declared

# Read by templates.
_.list_url_name
_.summary_template
_.self_records
_.studied_by
_.kind_name
_.wrong_fix  # the proofreading tally, read by tests and bench

# Named in settings or the URLconf as dotted strings.
_.JsonFormatter  # LOGGING
_.shell  # TEMPLATES context_processors
_.bad_request  # handler400
app_configs  # Django passes it by keyword to every system check

# Hooks the libraries call: argparse, pickle, gunicorn, forms.
_._split_lines  # argparse.HelpFormatter
_.find_class  # pickle.Unpickler
_.load_config  # gunicorn BaseApplication
_.ident  # logging.handlers.SysLogHandler prefix
_.empty_label  # ModelChoiceField
_.old_password  # PasswordChangeForm fields
_.new_password1
_.new_password2

# Attributes the libraries read when they write the file: openpyxl and python-docx.
_.freeze_panes
_.sheet_state
_.errorTitle
_.fill
_.base_style
_.alignment
_.line_spacing_rule
_.line_spacing
_.space_before
_.space_after
_.page_height
_.page_width
_.bottom_margin
_.top_margin
_.left_margin
_.right_margin
_.footer_distance
_.right_indent
_.left_indent
_.start_type
_.odd_and_even_pages_header_footer

# Settings Django and its apps (axes, csp) read by name.
ALLOWED_HOSTS
AUTHENTICATION_BACKENDS
AUTH_PASSWORD_VALIDATORS
AXES_CLIENT_IP_CALLABLE
AXES_COOLOFF_TIME
AXES_LOCKOUT_PARAMETERS
AXES_LOCKOUT_TEMPLATE
AXES_RESET_ON_SUCCESS
AXES_VERBOSE
CACHES
CONTENT_SECURITY_POLICY
CSRF_COOKIE_HTTPONLY
CSRF_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS
DEBUG
DEFAULT_AUTO_FIELD
FILE_UPLOAD_MAX_MEMORY_SIZE
FILE_UPLOAD_PERMISSIONS
INSTALLED_APPS
LANGUAGES
LANGUAGE_CODE
LOGGING
LOGIN_REDIRECT_URL
LOGIN_URL
LOGOUT_REDIRECT_URL
MIDDLEWARE
ROOT_URLCONF
SECRET_KEY
SECURE_CONTENT_TYPE_NOSNIFF
SECURE_CROSS_ORIGIN_OPENER_POLICY
SECURE_HSTS_INCLUDE_SUBDOMAINS
SECURE_HSTS_PRELOAD
SECURE_HSTS_SECONDS
SECURE_PROXY_SSL_HEADER
SECURE_REDIRECT_EXEMPT
SECURE_REFERRER_POLICY
SECURE_SSL_REDIRECT
SESSION_COOKIE_AGE
SESSION_COOKIE_HTTPONLY
SESSION_COOKIE_SAMESITE
SESSION_COOKIE_SECURE
SESSION_EXPIRE_AT_BROWSER_CLOSE
SESSION_SAVE_EVERY_REQUEST
STATICFILES_DIRS
STORAGES
TEMPLATES
TIME_ZONE
USE_I18N
USE_TZ
WSGI_APPLICATION
X_FRAME_OPTIONS
# Django's mail settings (taizhang.notify sends through django.core.mail)
EMAIL_BACKEND
EMAIL_HOST
EMAIL_PORT
EMAIL_HOST_USER
EMAIL_HOST_PASSWORD
EMAIL_USE_TLS
EMAIL_USE_SSL
EMAIL_FILE_PATH
# notify's model fields and choices: the ORM (filters, update()), the templates and the forms name them
_.read_at
_.WECOM
_.DINGTALK
_.GOVWX
_.next_attempt_at
_.lease_until
_.lease_owner
_.last_error
_.sent_at
_.duration_ms
# urllib calls it on a redirect (notify.webhooks refuses every redirect)
_.redirect_request
# the home page's tiles: read by ledger/_tile.html
_.tone
# python-docx core properties, written into docProps/core.xml when the document is saved (reports.render)
_.author
_.last_modified_by
_.language
_.keywords
_.comments
_.revision
_.modified
# Declarative form fields and widget flags Django reads by name (ledger.forms, notices.forms)
_.confirm_present
_.to_all
_.allow_multiple_selected
_.help_text
# the 红色故事's fields: the Kind declaration lists them, templates show them
_.era
_.lesson
# party organisation types: choices of Unit.party_org_type (read from the database and the form)
_.PARTY_COMMITTEE
_.GENERAL_BRANCH
# notices: stamped when they happen and shown on the pages
_.issued_at
_.reminded_at
_.decided_at
_.decided_by
# python-docx cell and section properties, written into the document when it is saved (core.printing)
_.vertical_alignment
_.autofit
_.orientation
# The search rank of one entry: migration 0003 rebuilds the ranks with it (migrations are outside
# vulture's view); an import's batch packs the same bits itself (search._kind_rows).
_.rank_of
