// Labels in Vietnamese (default) and English, and formatting of numbers and dates.
// The language is remembered in localStorage under "lang".

const T = {
  app_title: ["Đào tạo cán bộ dân vận", "Mass-mobilisation cadre training"],
  app_long: ["Đào tạo, bồi dưỡng cán bộ làm công tác dân vận — TP. Hồ Chí Minh", "Training of Ho Chi Minh City's mass-mobilisation cadres"],
  skip: ["Bỏ qua đến nội dung", "Skip to content"],
  lang_switch: ["English", "Tiếng Việt"],
  logout: ["Đăng xuất", "Log out"],
  login: ["Đăng nhập", "Log in"],
  username: ["Tên đăng nhập", "Username"],
  password: ["Mật khẩu", "Password"],
  login_intro: ["Đăng nhập để xem hồ sơ, lớp học và báo cáo.", "Log in to see records, classes and reports."],
  verify: ["Tra cứu giấy chứng nhận", "Verify a certificate"],
  verify_intro: ["Nhập số giấy chứng nhận (ví dụ TCB-2026-000123) để kiểm tra tình trạng. Không cần đăng nhập. Họ tên đầy đủ chỉ hiện khi nhập cả mã xác thực in trên giấy.", "Enter a certificate number (e.g. TCB-2026-000123) to check its status. No login needed. The full name is shown only with the verification code printed on the certificate."],
  certificate_no: ["Số giấy chứng nhận", "Certificate number"],
  certificate_code: ["Mã xác thực", "Verification code"],
  certificate_code_hint: ["Không bắt buộc: 10 ký tự in cạnh số giấy chứng nhận.", "Optional: the 10 characters printed beside the number."],
  holder_masked_note: ["Chỉ hiện chữ cái đầu; nhập mã xác thực để xem họ tên đầy đủ.", "Initials only; enter the verification code to see the full name."],
  holder_verified_note: ["Mã xác thực đúng.", "The verification code matches."],
  check: ["Kiểm tra", "Check"],
  holder: ["Người được cấp", "Holder"],
  module: ["Chuyên đề", "Module"],
  class: ["Lớp", "Class"],
  completed_on: ["Ngày hoàn thành", "Completed on"],
  status: ["Tình trạng", "Status"],
  valid_until: ["Hiệu lực đến", "Valid until"],
  st_valid: ["Còn hiệu lực", "Valid"],
  st_stale: ["Hết hiệu lực", "Expired"],
  st_revoked: ["Đã thu hồi", "Revoked"],
  st_enrolled: ["Đã ghi danh", "Enrolled"],
  st_waitlisted: ["Danh sách chờ", "Waitlisted"],
  not_placed: ["Không được xếp chỗ", "Not placed"],
  outcome: ["Kết quả lớp", "Outcome"],
  retroactive: ["Áp dụng hồi tố", "Retroactive"],
  retroactive_hint: ["Ngày hiệu lực trước hôm nay: các báo cáo đã lập cho những ngày từ đó sẽ thay đổi", "A first day before today changes the reports already made for the days since"],
  oc_completed: ["Hoàn thành", "Completed"],
  oc_attendance_short: ["Đạt nhưng dự học chưa đủ số buổi", "Passed, too few sessions attended"],
  oc_failed: ["Không đạt", "Not passed"],
  oc_no_result: ["Chưa có kết quả", "No result"],
  attendance_short_hint: ["Dự học dưới {0}% số buổi: khi kết thúc lớp sẽ không được công nhận hoàn thành", "Attended under {0}% of sessions: finishing the class will record no completion"],
  class_status: ["Tình trạng lớp", "Class status"],
  st_withdrawn: ["Đã rút", "Withdrawn"],
  st_planned: ["Dự kiến", "Planned"],
  st_open: ["Đang nhận ghi danh", "Open"],
  st_running: ["Đang học", "Running"],
  st_finished: ["Đã kết thúc", "Finished"],
  st_cancelled: ["Đã hủy", "Cancelled"],
  role_admin: ["Quản trị", "Administrator"],
  role_school: ["Trường Cán bộ", "Training school"],
  role_commission: ["Ban Tổ chức", "Organisation commission"],
  role_officer: ["Cán bộ đơn vị", "Unit officer"],
  role_cadre: ["Cán bộ", "Cadre"],
  nav_home: ["Trang chủ", "Home"],
  nav_me: ["Hồ sơ của tôi", "My record"],
  nav_report: ["Báo cáo thiếu hụt", "Gap report"],
  nav_compare: ["So sánh hai thời điểm", "Compare two dates"],
  nav_classes: ["Lớp học", "Classes"],
  nav_new_class: ["Mở lớp mới", "New class"],
  nav_demand: ["Nhu cầu đào tạo", "Training demand"],
  nav_modules: ["Chương trình", "Curriculum"],
  nav_roster: ["Danh sách cán bộ", "Roster"],
  nav_accounts: ["Tài khoản", "Accounts"],
  nav_audit: ["Nhật ký", "Audit log"],
  home_admin: ["Quản trị hệ thống", "Administration"],
  home_school: ["Trường Cán bộ thành phố", "City Cadre School"],
  home_commission: ["Ban Tổ chức — báo cáo thiếu hụt", "Organisation commission — gap reports"],
  home_officer: ["Cán bộ của đơn vị", "Your unit's cadres"],
  home_cadre: ["Hồ sơ của tôi", "My record"],
  welcome: ["Xin chào", "Welcome"],
  loading: ["Đang tải…", "Loading…"],
  none: ["Không có", "None"],
  formerly: ["trước đây là", "formerly"],
  error_generic: ["Đã có lỗi", "Something went wrong"],
  not_found: ["Không tìm thấy trang", "Page not found"],
  save: ["Lưu", "Save"],
  cancel: ["Hủy", "Cancel"],
  search: ["Tìm kiếm", "Search"],
  name: ["Họ và tên", "Full name"],
  unit: ["Đơn vị", "Unit"],
  title: ["Chức danh", "Title"],
  titles_held: ["Chức danh đang giữ", "Titles held"],
  titles_planned: ["Quy hoạch", "Planned titles"],
  // A cadre's record page (record.js).
  record_link: ["Hồ sơ", "Record"],
  units_history: ["Quá trình công tác", "Units over time"],
  change_end: ["Sửa ngày kết thúc", "Change the last day"],
  none_recorded: ["Chưa có.", "None recorded."],
  last_day: ["Ngày cuối", "Last day"],
  last_day_hint: ["dd/mm/yyyy; để trống nếu chưa kết thúc", "dd/mm/yyyy; blank if it has not ended"],
  lvl_city: ["cấp thành phố", "city level"],
  lvl_district: ["cấp quận/huyện", "district level"],
  lvl_commune: ["cấp phường/xã", "ward/commune level"],
  add_title_held: ["Thêm chức danh đang giữ", "Add a title held"],
  add_title_planned: ["Thêm quy hoạch", "Add a planned title"],
  title_unit_hint: ["Đơn vị của chức danh (mặc định: đơn vị của cán bộ); phải đúng cấp của chức danh", "The title's unit (default: the cadre's unit); it must be at the title's level"],
  optional_date_hint: ["dd/mm/yyyy; không bắt buộc", "dd/mm/yyyy; optional"],
  add: ["Thêm", "Add"],
  reinstate: ["Khôi phục", "Reinstate"],
  issuer: ["Nơi cấp", "Issued by"],
  evidence: ["Văn bằng, số hiệu", "Evidence (diploma no.)"],
  source_ref: ["Nguồn hồ sơ", "Record source"],
  qsrc_manual: ["Nhập tay", "By hand"],
  qsrc_import: ["Nhập tệp", "Imported"],
  qsrc_completion: ["Hoàn thành lớp học", "Class completion"],
  revoked_on: ["Ngày thu hồi", "Revoked on"],
  reinstate_reason: ["Lý do khôi phục", "Reason for reinstating"],
  reinstated_ok: ["Đã khôi phục trình độ.", "The qualification is reinstated."],
  revoked_ok: ["Đã thu hồi trình độ.", "The qualification is revoked."],
  add_qualification: ["Thêm trình độ", "Add a qualification"],
  // The school's edits of a class (classedit.js).
  cancel_reason: ["Lý do hủy lớp", "Reason for cancelling"],
  cancel_hint: ["Bắt buộc; học viên và đơn vị sẽ thấy lý do này.", "Required; enrolled cadres and their units will see it."],
  cancel_confirm: ["Xác nhận hủy lớp", "Confirm cancelling the class"],
  cancelled_because: ["Lớp đã hủy. Lý do", "The class is cancelled. Reason"],
  edit_class: ["Sửa thông tin lớp", "Edit the class"],
  capacity_hint: ["Tăng số chỗ sẽ chuyển người chờ vào lớp ngay; không giảm dưới số đã ghi danh.", "Raising it admits waiting cadres at once; it cannot go below those enrolled."],
  min_attendance: ["Tỷ lệ chuyên cần tối thiểu (%)", "Minimum attendance (%)"],
  edit_schedule: ["Đổi lịch học", "Change the schedule"],
  schedule_hint: ["Sửa, thêm hoặc bớt buổi học; trùng phòng, giảng viên hoặc lịch học viên sẽ báo lỗi ở buổi đó.", "Change, add or remove sessions; a venue, instructor or cadre clash is shown at that session."],
  save_schedule: ["Lưu lịch học", "Save the schedule"],
  // Training going stale soon (expiring.js).
  nav_expiring: ["Sắp hết hiệu lực", "Expiring soon"],
  prerequisites: ["Chuyên đề tiên quyết", "Prerequisites"],
  // The commission's dashboard by group (splits.js).
  by_group: ["Theo nhóm cán bộ", "By group"],
  by_group_hint: ["Tỷ lệ đạt chuẩn của từng nhóm; trong ngoặc là số người được đánh giá.", "The share meeting the standard in each group; in brackets, how many were assessed."],
  split_gender: ["Theo giới tính", "By gender"],
  split_age: ["Theo độ tuổi", "By age"],
  split_minority: ["Theo dân tộc", "By ethnicity"],
  age_under_35: ["Dưới 35 tuổi", "Under 35"],
  age_35_44: ["35–44 tuổi", "35–44"],
  age_45_54: ["45–54 tuổi", "45–54"],
  age_55_plus: ["Từ 55 tuổi", "55 and over"],
  grp_minority: ["Dân tộc thiểu số", "Ethnic minorities"],
  grp_majority: ["Dân tộc Kinh", "Kinh majority"],
  shares_title: ["Tỷ lệ nữ, cán bộ trẻ và người dân tộc thiểu số", "Shares of women, young and minority cadres"],
  shares_hint: ["Trong số người đang giữ chức danh và người trong quy hoạch được đánh giá theo tiêu chuẩn, theo từng đơn vị; cán bộ trẻ: dưới 35 tuổi.", "Among the incumbents and the planned successors assessed against a standard, per unit; young: under 35."],
  share_women: ["% nữ", "% women"],
  share_young: ["% trẻ", "% young"],
  share_minority: ["% DTTS", "% minority"],
  all_modules: ["Tất cả chuyên đề", "All modules"],
  within_days: ["Trong vòng (ngày)", "Within (days)"],
  expiring_count: ["{0} chuyên đề hết hiệu lực trong {1} ngày tới", "{0} completions expire within {1} days"],
  from: ["Từ", "From"],
  to: ["Đến", "To"],
  profile: ["Thông tin cá nhân", "Profile"],
  gender: ["Giới tính", "Gender"],
  g_female: ["Nữ", "Female"],
  g_male: ["Nam", "Male"],
  g_other: ["Khác", "Other"],
  birth_date: ["Ngày sinh", "Date of birth"],
  ethnicity: ["Dân tộc", "Ethnicity"],
  party_joined: ["Ngày vào Đảng", "Party member since"],
  organisation: ["Tổ chức", "Organisation"],
  qualifications: ["Trình độ", "Qualifications"],
  scale: ["Loại", "Scale"],
  level: ["Trình độ", "Level"],
  obtained_on: ["Ngày cấp", "Obtained on"],
  completions: ["Chuyên đề đã hoàn thành", "Completed modules"],
  score: ["Điểm", "Score"],
  my_gaps: ["Yêu cầu của tiêu chuẩn chức danh", "My title standards"],
  meets: ["Đạt chuẩn", "Meets the standard"],
  short: ["Chưa đạt", "Falls short"],
  no_standard: ["Chưa có tiêu chuẩn", "No standard"],
  met: ["Đạt", "Met"],
  not_met: ["Chưa đạt", "Not met"],
  standard_version: ["phiên bản tiêu chuẩn", "standard version"],
  open_classes: ["Lớp đang mở", "Open classes"],
  seats_left: ["Còn chỗ", "Seats left"],
  enrol: ["Ghi danh", "Enrol"],
  enrolled_ok: ["Đã ghi danh vào lớp {0}", "Enrolled in class {0}"],
  waitlisted_ok: ["Đã vào danh sách chờ lớp {0}, vị trí {1}", "On the waitlist of class {0}, position {1}"],
  my_enrolments: ["Lớp đã đăng ký", "My classes"],
  position: ["Vị trí chờ", "Waitlist position"],
  upcoming: ["Buổi học sắp tới", "Upcoming sessions"],
  when: ["Thời gian", "When"],
  venue: ["Địa điểm", "Venue"],
  instructor: ["Giảng viên", "Instructor"],
  calendar_feed: ["Lịch học (iCalendar)", "Calendar feed (iCalendar)"],
  calendar_make: ["Tạo đường dẫn lịch", "Create a calendar link"],
  calendar_hint: ["Thêm đường dẫn này vào ứng dụng lịch trên điện thoại. Đường dẫn chỉ hiện một lần: hãy lưu lại ngay.", "Add this link to your phone's calendar app. It is shown only once: save it now."],
  calendar_exists: ["Đã có đường dẫn lịch (tạo ngày {0}); vì an toàn, đường dẫn chỉ hiện một lần khi tạo. Tạo đường dẫn mới thì đường dẫn cũ ngừng hoạt động.", "A calendar link exists (made on {0}); for safety it is shown only once, when made. A new link stops the old one."],
  calendar_remake: ["Tạo đường dẫn mới", "Make a new link"],
  no_cadre: ["Tài khoản này chưa gắn với hồ sơ cán bộ.", "This account is not linked to a cadre record."],
  as_of: ["Tính đến ngày", "As of"],
  population: ["Đối tượng", "Population"],
  pop_incumbent: ["Đương nhiệm", "Incumbents"],
  pop_planned: ["Quy hoạch", "Planned successors"],
  pop_both: ["Cả hai", "Both"],
  all_titles: ["Tất cả chức danh", "All titles"],
  show: ["Xem", "Show"],
  assessed: ["Số được đánh giá", "Assessed"],
  meeting: ["Đạt chuẩn", "Meeting"],
  compliance: ["Tỷ lệ đạt chuẩn", "Compliance"],
  chart_compliance: ["Tỷ lệ đạt chuẩn theo đơn vị (thấp nhất trước)", "Compliance by unit (lowest first)"],
  heatmap: ["Tỷ lệ chưa đạt theo yêu cầu", "Share falling short, by requirement"],
  heatmap_hint: ["Chọn một ô để xem danh sách cán bộ.", "Choose a cell to see the cadres behind it."],
  cadres_behind: ["Cán bộ chưa đạt: {0} — {1}", "Cadres falling short: {0} — {1}"],
  cadres_short_unit: ["Cán bộ chưa đạt: {0}", "Cadres falling short: {0}"],
  reasons: ["Lý do", "Reasons"],
  export_csv: ["Tải CSV", "Download CSV"],
  export_xlsx: ["Tải Excel (XLSX)", "Download Excel (XLSX)"],
  downloaded: ["Đã tải {0}", "Downloaded {0}"],
  total: ["Tổng cộng", "Total"],
  unplaced_row: ["Chưa xếp đơn vị (đơn vị đã giải thể chưa có đơn vị kế thừa, hoặc không có trong cây đơn vị ngày báo cáo)", "Not placed (unit dissolved with no successor yet, or not in that day's unit tree)"],
  drill_hint: ["Chọn tên đơn vị để xem cấp dưới.", "Choose a unit's name to go down a level."],
  no_rows: ["Không có số liệu cho lựa chọn này.", "No figures for this selection."],
  date_from: ["Ngày thứ nhất", "First date"],
  date_to: ["Ngày thứ hai", "Second date"],
  change: ["Thay đổi (điểm %)", "Change (points)"],
  compare_chart: ["Thay đổi tỷ lệ đạt chuẩn theo đơn vị", "Change in compliance by unit"],
  date_hint: ["dd/mm/yyyy", "dd/mm/yyyy"],
  bad_date: ["Ngày không hợp lệ (dd/mm/yyyy)", "Invalid date (dd/mm/yyyy)"],
  bad_time: ["Giờ không hợp lệ (HH:MM)", "Invalid time (HH:MM)"],
  ends_next_day: ["Kết thúc vào ngày hôm sau", "Ends the next day"],
  classes: ["Lớp học", "Classes"],
  code: ["Mã", "Code"],
  capacity: ["Số chỗ", "Seats"],
  enrolled_n: ["Đã ghi danh", "Enrolled"],
  waitlisted_n: ["Chờ", "Waiting"],
  sessions: ["Buổi học", "Sessions"],
  calendar: ["Lịch tháng", "Month calendar"],
  prev: ["Trước", "Previous"],
  next: ["Sau", "Next"],
  week: ["Tuần", "Week"],
  month: ["Tháng", "Month"],
  organiser: ["Đơn vị tổ chức", "Organiser"],
  enrol_opens: ["Mở ghi danh", "Enrolment opens"],
  enrol_closes: ["Đóng ghi danh", "Enrolment closes"],
  class_title: ["Tên lớp (không bắt buộc)", "Class title (optional)"],
  date: ["Ngày", "Date"],
  start: ["Bắt đầu", "Start"],
  end: ["Kết thúc", "End"],
  add_session: ["Thêm buổi học", "Add a session"],
  remove: ["Xóa", "Remove"],
  create_class: ["Tạo lớp", "Create class"],
  open_after: ["Mở ghi danh ngay", "Open for enrolment at once"],
  class_created: ["Đã tạo lớp {0}", "Class {0} created"],
  enrolled_list: ["Danh sách học viên", "Enrolled"],
  waitlist: ["Danh sách chờ", "Waitlist"],
  withdraw: ["Rút tên", "Withdraw"],
  withdraw_reason: ["Lý do rút", "Reason"],
  promoted: ["{0} được chuyển từ danh sách chờ vào lớp", "{0} was promoted from the waitlist"],
  find_cadre: ["Tìm cán bộ (tên, không cần dấu)", "Find a cadre (name, accents optional)"],
  choose_cadre: ["Chọn cán bộ", "Choose a cadre"],
  set_status: ["Chuyển trạng thái", "Change status"],
  attendance: ["Điểm danh", "Attendance"],
  a_present: ["Có mặt", "Present"],
  a_absent: ["Vắng", "Absent"],
  a_excused: ["Vắng có phép", "Excused"],
  session_ahead: ["Buổi học chưa bắt đầu: điểm danh từ khi buổi học bắt đầu", "The session has not started: attendance is taken from its start"],
  save_attendance: ["Lưu điểm danh", "Save attendance"],
  saved: ["Đã lưu", "Saved"],
  results: ["Kết quả", "Results"],
  passed: ["Đạt", "Passed"],
  save_results: ["Lưu kết quả", "Save results"],
  certificates: ["Giấy chứng nhận", "Certificates"],
  cert_pdf: ["Tải giấy chứng nhận (PDF)", "Download certificate (PDF)"],
  certs_pdf_all: ["Tải tất cả giấy chứng nhận (PDF)", "Download all certificates (PDF)"],
  sign_in_sheet: ["Danh sách ký tên", "Sign-in sheet"],
  sign_in_pdf: ["Danh sách ký tên (PDF)", "Sign-in sheet (PDF)"],
  revoke: ["Thu hồi", "Revoke"],
  revoke_reason: ["Lý do thu hồi", "Reason for revoking"],
  class_feed: ["Lịch của lớp (iCalendar)", "Class calendar (iCalendar)"],
  demand: ["Nhu cầu đào tạo", "Training demand"],
  needed: ["Số cần học", "Cadres needing it"],
  seats_planned: ["Chỗ đã lên kế hoạch", "Seats planned"],
  enrolled_needing: ["Đã có chỗ", "Already seated"],
  seats_free: ["Chỗ còn trống", "Free seats"],
  remaining: ["Còn thiếu", "Still needed"],
  schedule_class: ["Mở lớp cho chuyên đề này", "Schedule a class for this module"],
  modules: ["Chuyên đề", "Modules"],
  periods: ["Số tiết", "Periods"],
  valid_years: ["Hiệu lực (năm)", "Valid (years)"],
  active: ["Đang dùng", "Active"],
  in_service: ["Đang công tác", "In service"],
  in_service_hint: ["Bỏ chọn khi cán bộ thôi công tác; các chức danh và quy hoạch của họ phải kết thúc trước.", "Clear it when the cadre leaves the work; their titles and planned successions must end first."],
  not_in_service: ["Thôi công tác", "Left service"],
  service_filter: ["Tình trạng công tác", "Service"],
  service_all: ["Tất cả", "All"],
  edit: ["Sửa", "Edit"],
  title_vi: ["Tên (tiếng Việt)", "Title (Vietnamese)"],
  title_en: ["Tên (tiếng Anh)", "Title (English)"],
  roster: ["Danh sách cán bộ", "Roster"],
  add_cadre: ["Thêm cán bộ", "Add a cadre"],
  personal_id: ["Số định danh", "Personal ID"],
  phone: ["Điện thoại", "Phone"],
  nominate: ["Cử đi học", "Nominate"],
  accounts: ["Tài khoản", "Accounts"],
  role: ["Vai trò", "Role"],
  create_account: ["Tạo tài khoản", "Create account"],
  deactivate: ["Khóa", "Deactivate"],
  activate: ["Mở khóa", "Activate"],
  reset_password: ["Đặt lại mật khẩu", "Reset password"],
  new_password: ["Mật khẩu mới", "New password"],
  unit_code: ["Mã đơn vị", "Unit code"],
  import_units: ["Nhập danh mục đơn vị (CSV)", "Import units (CSV)"],
  file: ["Tệp", "File"],
  import: ["Nhập", "Import"],
  audit: ["Nhật ký thao tác", "Audit log"],
  actor: ["Người thực hiện", "Actor"],
  entity: ["Đối tượng", "Entity"],
  action: ["Thao tác", "Action"],
  at: ["Lúc", "At"],
  filter: ["Lọc", "Filter"],
  more: ["Xem thêm", "More"],
  shown_of: ["{0} / {1}", "{0} of {1}"],
  done: ["Xong", "Done"],
  source: ["Nguồn", "Source"],
  action: ["Thao tác", "Action"],
  src_school: ["Trường ghi danh", "School"],
  src_officer: ["Đơn vị cử", "Nominated"],
  src_self: ["Tự đăng ký", "Self"],
  past_titles: ["Chức danh đã giữ", "Titles held before"],
  requirement: ["Yêu cầu", "Requirement"],
  nav_standards: ["Tiêu chuẩn chức danh", "Title standards"],
  version: ["Phiên bản", "Version"],
  effective_from: ["Hiệu lực từ", "In force from"],
  note: ["Ghi chú (quyết định ban hành)", "Note (adopting decision)"],
  publish_version: ["Ban hành phiên bản mới", "Publish a new version"],
  add_requirement: ["Thêm yêu cầu", "Add a requirement"],
  kind: ["Loại yêu cầu", "Kind"],
  kind_min_level: ["Trình độ tối thiểu", "Minimum level"],
  kind_module: ["Chuyên đề đã học", "Module completed"],
  kind_max_age: ["Tuổi khi bổ nhiệm tối đa", "Maximum age at appointment"],
  kind_min_party_years: ["Số năm tuổi Đảng tối thiểu", "Minimum years of Party membership"],
  within_years: ["Trong vòng (năm)", "Within (years)"],
  years: ["Số năm", "Years"],
  req_module: ["đã học {0}", "{0} completed"],
  req_module_within: ["đã học {0} trong {1} năm gần nhất", "{0} completed within the last {1} years"],
  req_max_age: ["không quá {0} tuổi khi bổ nhiệm", "at most {0} years old at appointment"],
  req_party: ["ít nhất {0} năm tuổi Đảng", "at least {0} years of Party membership"],
  view_week: ["Xem theo tuần", "Week view"],
  view_month: ["Xem theo tháng", "Month view"],
  new_module: ["Thêm chuyên đề", "New module"],
  programmes: ["Chương trình", "Programmes"],
  description: ["Mô tả", "Description"],
  audiences: ["Đối tượng học", "Audiences"],
  nav_import: ["Nhập dữ liệu", "Import"],
  import_page: ["Nhập dữ liệu từ tệp CSV / Excel", "Import from CSV / Excel"],
  import_intro: ["Tải tệp mẫu, điền mỗi người một dòng, chọn tệp rồi bấm Kiểm tra: mọi dòng được kiểm tra mà chưa ghi gì. Chỉ khi không còn lỗi mới nhập được, và tệp được nhập toàn bộ hoặc không dòng nào. Nhập lại cùng một tệp không thay đổi gì.",
    "Download the template, fill in one row per record, choose the file and press Check: every row is checked and nothing is written. Only a file without problems can be imported, and it goes in whole or not at all. Importing the same file again changes nothing."],
  import_not_allowed: ["Vai trò này không nhập dữ liệu.", "This role does not import data."],
  imp_kind: ["Loại dữ liệu", "What the file holds"],
  imp_kind_cadres: ["Hồ sơ cán bộ", "Cadre records"],
  imp_kind_qualifications: ["Trình độ đã có", "Qualifications held"],
  imp_kind_completions: ["Chuyên đề đã hoàn thành", "Completed modules"],
  imp_hint_cadres: ["Mỗi dòng một cán bộ, nhận biết theo số CCCD/CMND; kèm chức danh đang giữ và chức danh quy hoạch.", "One row per cadre, matched by personal ID number; with the title held and the planned title."],
  imp_hint_qualifications: ["Mỗi dòng một văn bằng: số CCCD/CMND, loại trình độ, trình độ, ngày cấp.", "One row per qualification: personal ID, scale, level, date obtained."],
  imp_hint_completions: ["Mỗi dòng một chuyên đề đã học trước đây (hồ sơ giấy, bảng tính cũ), có nguồn và số tham chiếu.", "One row per module completed before the system (paper records, old spreadsheets), with its source and reference."],
  imp_step_file: ["Tệp cần nhập", "The file"],
  imp_template: ["Tệp mẫu", "Template"],
  template_csv: ["Mẫu CSV", "CSV template"],
  template_xlsx: ["Mẫu Excel (XLSX)", "Excel (XLSX) template"],
  imp_file: ["Chọn tệp (CSV hoặc XLSX)", "Choose a file (CSV or XLSX)"],
  imp_file_hint: ["CSV UTF-8, phân cách bằng dấu phẩy hoặc chấm phẩy; hoặc Excel XLSX. Ngày dạng dd/mm/yyyy.", "UTF-8 CSV separated by commas or semicolons, or Excel XLSX. Dates as dd/mm/yyyy."],
  imp_check: ["Kiểm tra", "Check"],
  imp_commit_hint: ["Nút Nhập dùng được sau khi kiểm tra tệp không có lỗi.", "Import is available once the file has been checked without problems."],
  imp_choose_file: ["Hãy chọn một tệp.", "Choose a file first."],
  imp_clean: ["Không có lỗi trong {0} dòng. Chưa ghi gì: bấm Nhập để ghi.", "No problems in {0} rows. Nothing written yet: press Import to write."],
  imp_done: ["Đã nhập tệp {0}.", "{0} imported."],
  imp_would_create: ["Sẽ thêm mới", "Would create"],
  imp_would_update: ["Sẽ cập nhật", "Would update"],
  imp_problems: ["{0} lỗi — chưa ghi gì. Sửa các dòng dưới đây rồi kiểm tra lại.", "{0} problems — nothing written. Correct the rows below and check again."],
  imp_problems_shown: ["Danh sách dưới đây gồm {0} lỗi đầu tiên trong tổng số {1}; tải tệp CSV để xem toàn bộ.", "The list below shows the first {0} of {1} problems; download the CSV for all of them."],
  imp_problems_csv: ["Tải toàn bộ lỗi (CSV)", "Download every problem (CSV)"],
  imp_problem_counts: ["Số lỗi theo cột và lý do", "Problems by column and reason"],
  imp_count: ["Số lỗi", "Problems"],
  imp_row: ["Dòng", "Row"],
  imp_column: ["Cột", "Column"],
  imp_value: ["Giá trị", "Value"],
  imp_reason: ["Lý do", "Reason"],
  exports: ["Xuất dữ liệu", "Export"],
  exports_hint: ["Tệp xuất hồ sơ cán bộ có cùng các cột với tệp mẫu, có thể sửa rồi nhập lại.", "The cadre export has the template's columns: it can be edited and imported again."],
  classes_enrolments: ["Lớp học và học viên", "Classes with enrolments"],
  export_roster: ["Xuất danh sách (theo đơn vị đã lọc)", "Export the roster (the unit filter applies)"],
  unit_filter_hint: ["Để trống: mọi đơn vị trong phạm vi", "Empty: every unit in your scope"],
  export_classes: ["Xuất lớp học và học viên", "Export classes with enrolments"],
  export_to_csv: ["Xuất CSV", "Export CSV"],
  export_to_xlsx: ["Xuất XLSX", "Export XLSX"],
  imp_rows: ["Số dòng", "Rows"],
  imp_created: ["Thêm mới", "Created"],
  imp_updated: ["Cập nhật", "Updated"],
  imp_unchanged: ["Không đổi", "Unchanged"],
  imp_moved: ["Chuyển cấp trên", "Moved"],
  imp_retired: ["Giải thể / sáp nhập", "Retired"],
  imp_skipped: ["Bỏ qua", "Skipped"],
  retire_missing: ["Giải thể các đơn vị không có trong tệp", "Retire the units missing from the file"],
  retire_missing_hint: ["Chỉ các đơn vị thuộc mã đơn vị gốc ở trên.", "Only units under the root unit above."],
  effective_date: ["Ngày hiệu lực", "Effective date"],
  effective_hint: ["dd/mm/yyyy; để trống: hôm nay; không được sau hôm nay", "dd/mm/yyyy; empty: today; not after today"],
  succ_import: ["Nhập bảng đơn vị kế thừa (sáp nhập, CSV)", "Import unit successors (mergers, CSV)"],
  succ_hint: ["Cột: old_code, old_name, old_parent_code, new_code, new_name, part, effective, main. Phải nhập danh mục đơn vị mới trước. Bấm Kiểm tra để xem trước (chưa ghi gì): các hồ sơ sẽ chuyển sang đơn vị kế thừa chính và các đơn vị có hai người cùng giữ một chức danh.",
    "Columns: old_code, old_name, old_parent_code, new_code, new_name, part, effective, main. Import the new units first. Press Check for a preview (nothing written): the records that would move to the main successor and the units where two people would hold one title."],
  succ_clean: ["Không có lỗi trong {0} dòng. Chưa ghi gì: xem trước bên dưới, bấm Nhập để ghi.", "No problems in {0} rows. Nothing written yet: the preview is below; press Import to write."],
  succ_rows: ["Số dòng", "Rows"],
  succ_skipped: ["Bỏ qua (đơn vị cũ không có trong dữ liệu)", "Skipped (old unit not in this database)"],
  succ_created: ["Liên kết kế thừa mới", "New successor links"],
  succ_updated: ["Liên kết cập nhật", "Links updated"],
  succ_unchanged: ["Không đổi", "Unchanged"],
  succ_successors_set: ["Đơn vị được ghi đơn vị kế thừa chính", "Units given a main successor"],
  succ_retired: ["Đơn vị cũ giải thể", "Old units retired"],
  succ_moved: ["Hồ sơ chuyển đơn vị", "Records moved"],
  succ_clashes: ["Đơn vị trùng chức danh", "Title clashes"],
  succ_retired_would: ["Sẽ giải thể", "Would retire"],
  succ_retired_done: ["Đã giải thể", "Retired"],
  succ_moved_would: ["Các hồ sơ sẽ chuyển sang đơn vị kế thừa chính", "Records that would move to the main successor"],
  succ_moved_done: ["Các hồ sơ đã chuyển sang đơn vị kế thừa chính", "Records moved to the main successor"],
  succ_clashes_title: ["Cảnh báo: {0} trường hợp một đơn vị có từ hai người cùng giữ một chức danh — Ban Tổ chức cần xử lý.", "Warning: {0} cases of a unit with two or more holders of one title — for the organisation commission to resolve."],
  succ_holders: ["Cán bộ (mã)", "Cadres (IDs)"],
  succ_kind: ["Loại hồ sơ", "Record"],
  succ_record: ["Mã hồ sơ", "Record ID"],
  succ_from_to: ["Từ đơn vị → đơn vị", "From unit → to unit"],
  succ_kind_cadre_unit: ["Đơn vị công tác", "Unit of work"],
  succ_kind_title_assignment: ["Chức danh đang giữ", "Title held"],
  succ_kind_succession_plan: ["Quy hoạch", "Succession plan"],
  succ_kind_account: ["Tài khoản", "Account"],
  demand_hint: ["Theo báo cáo thiếu hụt hôm nay: số cán bộ cần học từng chuyên đề so với số chỗ của các lớp đã lên kế hoạch hoặc đang mở (toàn thành phố). Còn thiếu = cần học − đã có chỗ − chỗ còn trống.", "From today's gap report: cadres who need each module against the seats in planned or open classes (city-wide). Remaining = needed − already seated − free seats."],
  by_unit: ["Theo đơn vị", "By unit"],
  new_programme: ["Thêm chương trình", "New programme"],
  required: ["Bắt buộc nhập", "Required"],
  code_taken: ["Mã {0} đã có; hãy sửa chương trình đó hoặc chọn mã khác", "Code {0} is already used; edit that programme or choose another code"],
  cadre_id: ["Mã cán bộ", "Cadre ID"],
  request_place: ["Xin vào danh sách chờ", "Request a waitlist place"],
  no_open_class: ["Chưa có lớp đang mở cho yêu cầu này.", "No open class for this requirement yet."],
  entity_id: ["Mã đối tượng", "Record ID"],
  today: ["Hôm nay", "Today"],
  clear_filters: ["Bỏ lọc", "Clear filters"],
  act_create: ["Tạo mới", "Create"],
  act_update: ["Cập nhật", "Update"],
  act_status: ["Đổi tình trạng", "Status change"],
  act_publish: ["Ban hành", "Publish"],
  act_revoke: ["Thu hồi", "Revoke"],
  act_retire: ["Giải thể", "Retire"],
  act_reschedule: ["Đổi lịch", "Reschedule"],
  act_reset_password: ["Đặt lại mật khẩu", "Reset password"],
  act_change_password: ["Đổi mật khẩu", "Change password"],
  act_notice_settings: ["Đổi cài đặt thông báo", "Change notice settings"],
  act_import: ["Nhập dữ liệu", "Import"],
  act_withdraw: ["Rút tên", "Withdraw"],
  act_enrol: ["Ghi danh", "Enrol"],
  act_results: ["Kết quả", "Results"],
  act_generate: ["Tạo dữ liệu mẫu", "Generate"],
  act_deactivate: ["Khóa tài khoản", "Deactivate"],
  act_attendance: ["Điểm danh", "Attendance"],
  act_withdrawn: ["Rút tên", "Withdrawn"],
  // Issue 16: paging, withdrawal with a reason, the missing-requirements list, one's own password.
  paging: ["Chuyển trang", "Pages"],
  page_pos: ["{0}–{1} trong tổng số {2}", "{0}–{1} of {2}"],
  page_none: ["Trang này không có dòng nào (tổng số {0})", "Nothing on this page ({0} in all)"],
  page_pos_more: ["{0}–{1} trong tổng số hơn {2}", "{0}–{1} of more than {2}"],
  page_none_more: ["Trang này không có dòng nào (tổng số hơn {0})", "Nothing on this page (more than {0} in all)"],
  find_in_list: ["Tìm trong danh sách", "Find in the list"],
  withdraw_confirm: ["Rút tên {0} khỏi lớp {1}?", "Withdraw {0} from class {1}?"],
  withdraw_reason_hint: ["Bắt buộc; được lưu vào nhật ký (tối đa 500 ký tự).", "Required; kept in the audit log (at most 500 characters)."],
  withdraw_reason_needed: ["Hãy nhập lý do rút tên", "Enter the reason for the withdrawal"],
  withdrawn_ok: ["Đã rút tên {0}.", "{0} withdrawn."],
  needed_by: ["Cần cho: {0}", "Needed for: {0}"],
  missing_title: ["Còn thiếu", "Still missing"],
  nothing_missing: ["Không thiếu yêu cầu nào.", "Nothing is missing."],
  met_title: ["Đã đạt", "Met"],
  offered_above: ["(xem lớp này ở trên)", "(this class is offered above)"],
  change_password: ["Đổi mật khẩu", "Change password"],
  notices: ["Thông báo", "Notices"],
  notices_unread_words: ["chưa đọc", "unread"],
  notices_read_all: ["Đánh dấu tất cả đã đọc", "Mark all read"],
  notices_mark_read: ["Đánh dấu đã đọc", "Mark read"],
  notices_new: ["Mới", "New"],
  notices_mailed: ["đã gửi thư điện tử", "e-mailed"],
  notices_show_unread: ["Chỉ xem thông báo chưa đọc", "Unread only"],
  notices_show_all: ["Xem tất cả thông báo", "All notices"],
  notices_none: ["Chưa có thông báo nào.", "No notices yet."],
  notices_none_unread: ["Không có thông báo chưa đọc.", "No unread notices."],
  notices_settings: ["Cài đặt thông báo", "Notice settings"],
  notices_email: ["Địa chỉ thư điện tử nhận thông báo", "E-mail address for notices"],
  notices_email_hint: ["Để trống: dùng địa chỉ trong hồ sơ cán bộ (nếu có).", "Empty: the address in the cadre record (if any)."],
  notices_lang: ["Ngôn ngữ của thông báo và thư", "Language of notices and e-mail"],
  notices_mail_kinds: ["Gửi thư điện tử khi", "Send e-mail for"],
  notices_mail_on: ["Thư điện tử được gửi tới: {0}", "E-mail goes to: {0}"],
  notices_no_address: ["(chưa có địa chỉ)", "(no address)"],
  notices_mail_off: ["Máy chủ hiện không gửi thư điện tử; thông báo vẫn hiện ở đây.", "This server sends no e-mail at present; notices still appear here."],
  notice_kind_enrolled: ["Được ghi danh vào lớp", "Enrolled in a class"],
  notice_kind_waitlisted: ["Vào danh sách chờ", "Put on a waitlist"],
  notice_kind_promoted: ["Được chuyển từ danh sách chờ vào lớp", "Moved from the waitlist into a class"],
  notice_kind_class_rescheduled: ["Lớp đổi lịch học", "A class rescheduled"],
  notice_kind_not_placed: ["Không được xếp chỗ khi lớp kết thúc", "Not placed when a class finished"],
  notice_kind_class_cancelled: ["Lớp bị hủy", "A class cancelled"],
  notice_kind_class_starts_soon: ["Nhắc trước ngày khai giảng", "Reminder before a class starts"],
  notice_kind_session_tomorrow: ["Nhắc buổi học ngày mai", "Reminder of tomorrow's session"],
  notice_kind_completion_recorded: ["Hoàn thành học phần, cấp giấy chứng nhận", "Completion and certificate"],
  notice_kind_completion_withheld: ["Đạt nhưng chưa được công nhận hoàn thành (dự học chưa đủ)", "Passed but not completed (too few sessions)"],
  notice_kind_certificate_revoked: ["Giấy chứng nhận bị thu hồi", "Certificate revoked"],
  notice_kind_training_stale_soon: ["Kết quả học phần sắp hết hiệu lực", "Training going stale"],
  notice_kind_removed_from_class: ["Nhà trường đưa ra khỏi lớp", "Removed from a class by the school"],
  notice_kind_class_not_passed: ["Lớp kết thúc, chưa đạt", "A class finished without a pass"],
  current_password: ["Mật khẩu hiện tại", "Current password"],
  new_password_again: ["Nhập lại mật khẩu mới", "New password again"],
  passwords_differ: ["Hai lần nhập mật khẩu mới không khớp", "The two new passwords differ"],
  password_changed: ["Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.", "Password changed. The account's other sessions have ended."],
  password_rules_cadre: ["Từ 10 đến 128 ký tự, khó đoán: không dùng từ thông dụng, dãy phím, ngày tháng hay tên đăng nhập.", "10 to 128 characters, hard to guess: no common words, keyboard runs, dates or the username."],
  password_rules_staff: ["Từ 12 đến 128 ký tự, khó đoán: không dùng từ thông dụng, dãy phím, ngày tháng hay tên đăng nhập.", "12 to 128 characters, hard to guess: no common words, keyboard runs, dates or the username."],
  act_removed: ["Xóa khỏi lớp", "Removed from the class"],
  act_move: ["Chuyển đơn vị", "Move to another unit"],
  act_login_failed: ["Đăng nhập sai", "Failed login"],
  act_logout: ["Đăng xuất mọi phiên", "Log out everywhere"],
  // The kinds of record the audit log names (its `entity`).
  ent_account: ["Tài khoản", "Account"],
  ent_cadre: ["Hồ sơ cán bộ", "Cadre record"],
  ent_class: ["Lớp học", "Class"],
  ent_classes: ["Lớp học mẫu", "Demo classes"],
  ent_enrolment: ["Ghi danh", "Enrolment"],
  ent_session: ["Buổi học", "Session"],
  ent_attendance: ["Điểm danh", "Attendance"],
  ent_certificate: ["Giấy chứng nhận", "Certificate"],
  ent_completion: ["Chuyên đề đã hoàn thành", "Completion"],
  ent_feed_token: ["Đường dẫn lịch", "Calendar link"],
  ent_unit: ["Đơn vị", "Unit"],
  ent_unit_import: ["Nhập danh mục đơn vị", "Unit import"],
  ent_unit_successors: ["Nhập đơn vị kế thừa", "Unit successors import"],
  ent_title: ["Chức danh", "Title"],
  ent_standard: ["Tiêu chuẩn chức danh", "Title standard"],
  ent_import: ["Nhập dữ liệu", "Import"],
  ent_module: ["Chuyên đề", "Module"],
  ent_programme: ["Chương trình", "Programme"],
  ent_dataset: ["Bộ dữ liệu mẫu", "Demo dataset"],
  ent_title_assignment: ["Chức danh đang giữ", "Title held"],
  ent_succession_plan: ["Quy hoạch", "Succession plan"],
  ent_qualification: ["Trình độ", "Qualification"],
};

/** The label of a code ("act_" + "create"), or the code itself when there is none. */
export function tOr(prefix, code) {
  const pair = T[prefix + code];
  return pair ? pair[lang() === "en" ? 1 : 0] : code;
}

const LOCALES = { vi: "vi-VN", en: "en-GB" };

export function lang() {
  const l = localStorage.getItem("lang");
  return l === "en" ? "en" : "vi";
}

export function setLang(l) {
  localStorage.setItem("lang", l === "en" ? "en" : "vi");
  document.documentElement.lang = lang();
}

/** The label `key` in the current language, `{0}`, `{1}` replaced by the arguments. */
export function t(key, ...args) {
  const pair = T[key];
  let s = pair ? pair[lang() === "en" ? 1 : 0] : key;
  args.forEach((a, i) => { s = s.replace("{" + i + "}", String(a)); });
  return s;
}

export function num(n, digits) {
  if (n === null || n === undefined || Number.isNaN(n)) return "—";
  const opts = digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return new Intl.NumberFormat(LOCALES[lang()], opts).format(n);
}

export function pct(n) {
  if (n === null || n === undefined) return "—";
  return num(n, 1) + " %";
}

const pad = (n) => String(n).padStart(2, "0");

/** "2026-03-05" (or a date-time) → "05/03/2026". */
export function date(iso) {
  if (!iso) return "—";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** A UTC instant → "dd/mm/yyyy HH:MM" in city time (UTC+7). */
export function dateTime(iso) {
  if (!iso) return "—";
  const d = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export function time(iso) {
  const d = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A period's unit as it was named then: its name on the last day, and the one on the first
 * when the unit was renamed during the period ("Phường Tân Định (trước đây là Phường Đa Kao)"). */
export function unitThen(p) {
  return p.unit_former_name ? `${p.unit_name} (${t("formerly")} ${p.unit_former_name})` : p.unit_name;
}

/** City-time calendar day of an instant: "YYYY-MM-DD". */
export function cityDay(iso) {
  const d = new Date(Date.parse(iso) + 7 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "05/03/2026" → "2026-03-05"; null when not a real date. Also accepts ISO. */
export function parseDate(s) {
  s = (s || "").trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  let y, mo, d;
  if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; } else {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    if (!m) return null;
    y = +m[1]; mo = +m[2]; d = +m[3];
  }
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  return `${y}-${pad(mo)}-${pad(d)}`;
}

export function today() {
  return cityDay(new Date().toISOString());
}

export function addDays(isoDay, n) {
  const d = new Date(isoDay + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Rewrites ISO dates inside a text from the API ("completed 2022-12-29") as dd/mm/yyyy. */
export function localDates(text) {
  return String(text || "").replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, "$3/$2/$1");
}

/**
 * A gap check's reason in the current language, from its `code` and `params` and the served
 * catalogue of gap reasons (`GET /api/gaps/reasons?lang=`, loaded by report.js): scales and levels
 * named as the catalogue writes them in this language, days dd/mm/yyyy, numbers formatted. A check
 * without a code (none is served) shows its English text, days localised.
 */
export function gapReason(check, catalogue) {
  const template = catalogue && check.code ? catalogue.messages[check.code] : null;
  if (!template) return localDates(check.reason);
  const p = check.params || {};
  const v = catalogue.values || {};
  return template.replace(/\{(\w+)\}/g, (_, name) => {
    const x = p[name];
    if (x === undefined || x === null) return "";
    if (name === "scale") return (v.scale || {})[x] || String(x).replace(/_/g, " ");
    if ((name === "held" || name === "needed") && p.scale !== undefined) return (v.level || {})[p.scale + "/" + x] || String(x);
    if (name === "on" || name === "completed_on") return date(x);
    if (typeof x === "number") return num(x);
    return String(x);
  });
}

// The API's errors: each carries a stable `reason` and the `params` its message names. The
// catalogue (`GET /api/errors/messages?lang=`) has every reason's message in each language; it is
// loaded once per language, before an error is shown.
const errorCatalogues = {};

export async function loadErrorMessages() {
  const l = lang();
  if (errorCatalogues[l]) return errorCatalogues[l];
  try {
    const res = await fetch("/api/errors/messages?lang=" + l, { headers: { Accept: "application/json" } });
    if (res.ok) errorCatalogues[l] = await res.json();
  } catch (_) { /* unreachable: the error is shown as the API wrote it, and recorded below */ }
  return errorCatalogues[l];
}

function paramText(cat, key, v) {
  const s = v === undefined || v === null ? "" : String(v);
  const words = cat.values && cat.values[key];
  if (words && words[s] !== undefined) return words[s];
  return lang() === "vi" ? localDates(s) : s;
}

/**
 * An API error (`{reason, params, message}`) in the page's language, rendered from the
 * catalogue. An error the catalogue cannot render in this language is shown as the API wrote it
 * (English) and recorded in window.__errors, so that no English message reaches a Vietnamese page
 * unnoticed (the browser tests fail on it).
 */
export function errorText(e) {
  const cat = errorCatalogues[lang()];
  const tpl = e && e.reason && cat && cat.messages && cat.messages[e.reason];
  if (!tpl) {
    if (lang() !== "en") {
      (window.__errors = window.__errors || []).push(`API error without a ${lang()} message: ${e && e.reason} — ${e && e.message}`);
    }
    return localDates(e && e.message);
  }
  const params = e.params || {};
  const text = tpl.replace(/\{(\w+)\}/g, (_, k) => paramText(cat, k, params[k]));
  if (params.sheet === undefined || !cat.in_sheet) return text;
  return cat.in_sheet.replace(/\{(\w+)\}/g, (_, k) => (k === "message" ? text : paramText(cat, k, params[k])));
}

/** A text the API wrote without a code (a problem count's reason), dates localised. */
export function apiText(message) {
  return localDates(String(message || ""));
}
