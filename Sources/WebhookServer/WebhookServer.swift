import Admission
