import Admission
print("admission-bench: not implemented yet")
