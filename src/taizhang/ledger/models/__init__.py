"""The ledgers (台账) of docs/domain.md §2. Each model's docstring says what one row is."""

from .analysis import Analysis, Risk, RiskLevel
from .group import GroupPost, LeadingGroupMember, ResponsibilityItem, ResponsibilityRole
from .meetings import Meeting, MeetingKind
from .positions import Position, PositionInspection, PositionKind, PublicationReview, ReviewStage, ReviewStep
from .publicity import Publicity, Submission, SubmissionLevel, SubmissionScore, Subscription
from .rectification import PublicOpinion, Rectification, RectificationSource, RectificationState
from .report_records import ReportKind, ReportRecord
from .signin import MeetingSignIn
from .study import StudyPlan, StudyPlanItem
from .workplan import WorkPlanEvidence, WorkPlanItem

__all__ = [
    "Analysis", "GroupPost", "LeadingGroupMember", "Meeting", "MeetingKind", "MeetingSignIn", "Position",
    "PositionInspection", "PositionKind", "PublicOpinion", "PublicationReview", "Publicity", "Rectification",
    "RectificationSource", "RectificationState", "ReportKind", "ReportRecord", "ResponsibilityItem",
    "ResponsibilityRole", "ReviewStage", "ReviewStep", "Risk", "RiskLevel", "StudyPlan", "StudyPlanItem",
    "Submission", "SubmissionLevel", "SubmissionScore", "Subscription", "WorkPlanEvidence", "WorkPlanItem",
]  # fmt: skip
